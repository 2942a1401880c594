from local_aws.redshift.serverless.models import redshiftserverless_backends

__all__ = ["redshiftserverless_backends"]
