from moto.glue.urls import url_bases

from local_aws.glue.responses import LocalGlueResponse

url_paths = {"{0}/$": LocalGlueResponse.dispatch}

__all__ = ["url_bases", "url_paths"]
