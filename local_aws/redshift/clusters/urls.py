from moto.redshift.urls import url_bases

from local_aws.redshift.clusters.responses import LocalRedshiftResponse

url_paths = {"{0}/$": LocalRedshiftResponse.dispatch}

__all__ = ["url_bases", "url_paths"]
