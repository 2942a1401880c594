from moto.athena.urls import url_bases

from local_aws.athena.responses import LocalAthenaResponse

# POST / is JSON 1.1 (X-Amz-Target); every other path is a REST-JSON operation (rest_json.py).
url_paths = {"{0}/$": LocalAthenaResponse.dispatch, "{0}/.*": LocalAthenaResponse.dispatch}

__all__ = ["url_bases", "url_paths"]
