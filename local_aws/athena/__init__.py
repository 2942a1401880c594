from local_aws.athena.models import athena_backends

__all__ = ["athena_backends"]
