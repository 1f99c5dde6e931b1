"""
The errors services raise, each carrying the HTTP status it maps to.

HTML views show `message` (as a form error or a flash message); the API returns
`{"detail": message, **extra}` with `status_code`.
"""


class ApplicationError(Exception):
    """A refusal a user can understand and act on."""

    status_code = 400

    def __init__(self, message: str, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotFound(ApplicationError):
    status_code = 404


class NotAuthenticated(ApplicationError):
    """The credentials sent are no longer good (an expired API token)."""

    status_code = 401


class PermissionDenied(ApplicationError):
    status_code = 403


class InvalidTransition(ApplicationError):
    """The record's state does not allow this action."""

    status_code = 409


class StaleRecord(ApplicationError):
    """Someone else changed the record since it was read."""

    status_code = 409

    def __init__(self, message: str | None = None, extra: dict | None = None):
        super().__init__(
            message
            or "This record was changed by someone else since you opened it. "
            "Reload it, check their changes, and try again.",
            extra,
        )


class Duplicate(ApplicationError):
    """The record exists already (e.g. an invoice number); `extra` points to it."""

    status_code = 409


class ValidationFailed(ApplicationError):
    """Input broke a rule; `field_errors` maps field names to messages."""

    status_code = 422

    def __init__(self, message: str, field_errors: dict[str, str] | None = None):
        self.field_errors = field_errors or {}
        super().__init__(
            message, {"errors": self.field_errors} if field_errors else None
        )


class TooLarge(ApplicationError):
    """An uploaded file over its size limit."""

    status_code = 413


class InvalidCursor(ApplicationError):
    """A pagination cursor that was altered or belongs to another list."""

    status_code = 400

    def __init__(self):
        super().__init__(
            "The pagination cursor is not valid. Start again from the first page."
        )


class ServiceUnavailable(ApplicationError):
    """A dependency (DynamoDB, storage) could not be reached."""

    status_code = 503
