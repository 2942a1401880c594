from local_aws.glue.models import glue_backends

__all__ = ["glue_backends"]
