"""DRF's exception handler: domain errors answered the one way (``identity.error_mapping``).

DRF's own exceptions (a ``ParseError`` from ``parsers.LimitedJSONParser`` among them) keep DRF's
shape, ``{"detail": "<message>"}``, with the message that says what was wrong.
"""

from rest_framework.views import exception_handler as drf_exception_handler

from identity.error_mapping import api_response
from identity.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return api_response(exc)
    return drf_exception_handler(exc, context)
