"""Errors the CLI prints as one line before exiting non-zero."""


class CliError(Exception):
    exit_code = 1


class ApiError(CliError):
    """The server refused or could not be reached; ``status`` is the HTTP status when it answered."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class UsageError(CliError):
    """Bad command-line input; the message names the option."""

    exit_code = 2
