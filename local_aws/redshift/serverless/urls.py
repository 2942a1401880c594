from local_aws.redshift.serverless.responses import LocalRedshiftServerlessResponse

url_bases = [r"https?://redshift-serverless\.(.+)\.amazonaws\.com"]

url_paths = {"{0}/$": LocalRedshiftServerlessResponse.dispatch}

__all__ = ["url_bases", "url_paths"]
