from local_aws.redshift.data_api.models import redshiftdata_backends

__all__ = ["redshiftdata_backends"]
