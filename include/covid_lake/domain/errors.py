"""Which errors are the data's fault.

A `DataError` is deterministic: the same input fails the same way on every attempt (a source
missing, empty, without a column the pipeline reads, keys that cannot be built, a contract or
check that does not hold, a source quirk above its limit). Retrying it only delays the failure
(covid_lake.tasks.policy.fail_fast turns it into a failure without retries). Every message names
the dataset (or table), the column where there is one, and the problem.
"""


class DataError(ValueError):
    """Deterministic: the data, not the infrastructure, is at fault."""


class QuirkLimitError(DataError):
    """A known source quirk affects more rows than its limit in settings allows."""
