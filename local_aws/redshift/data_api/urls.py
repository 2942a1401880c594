from moto.redshiftdata.urls import url_bases

from local_aws.redshift.data_api.responses import LocalRedshiftDataResponse

url_paths = {"{0}/$": LocalRedshiftDataResponse.dispatch}

__all__ = ["url_bases", "url_paths"]
