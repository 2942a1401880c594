"""The ten source datasets, as the pipeline names them: defined in covid_lake_sources (shared
with the emulator's sample lake), re-exported here so the pipeline reads them from its own
package."""

from covid_lake_sources import BY_NAME, DATASETS, SOURCE_BUCKET, SOURCE_REGION, Dataset, dataset

__all__ = ["BY_NAME", "DATASETS", "SOURCE_BUCKET", "SOURCE_REGION", "Dataset", "dataset"]
