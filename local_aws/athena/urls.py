from moto.athena.urls import url_bases

from local_aws.athena.responses import LocalAthenaResponse

url_paths = {"{0}/$": LocalAthenaResponse.dispatch}

__all__ = ["url_bases", "url_paths"]
