from local_aws.services.redshiftdata.models import redshiftdata_backends

__all__ = ["redshiftdata_backends"]
