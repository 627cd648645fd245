"""The one domain error family the services raise; the portal and the API map it to responses."""


class DomainError(Exception):
    """An operation cannot be carried out; ``message`` is safe to show to the caller."""

    status_code = 400

    def __init__(self, message, *, field_errors=None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class InvalidInput(DomainError):
    status_code = 400


class NotPermitted(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    """A name already taken, or an operation the object's state forbids."""

    status_code = 409
