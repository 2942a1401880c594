from local_aws.services.athena.models import athena_backends

__all__ = ["athena_backends"]
