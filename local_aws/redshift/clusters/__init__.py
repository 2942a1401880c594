from local_aws.redshift.clusters.models import redshift_backends

__all__ = ["redshift_backends"]
