from moto.core.exceptions import JsonRESTError


class InvalidRequestException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidRequestException", message)


class AthenaQueryError(ValueError):
    """A query Athena would reject; str() is the StateChangeReason, e.g. 'TABLE_NOT_FOUND: ...'."""

    def __init__(self, error_name: str, message: str) -> None:
        super().__init__(f"{error_name}: {message}")
        self.error_name = error_name
