from local_aws.services.glue.models import glue_backends

__all__ = ["glue_backends"]
