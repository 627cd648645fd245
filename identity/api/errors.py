"""Turn domain errors into API responses, with field errors where the input was at fault.

DRF's own exceptions (a ``ParseError`` from ``parsers.LimitedJSONParser`` among them) keep DRF's
shape, ``{"detail": "<message>"}``, with the message that says what was wrong.
"""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from identity.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = dict(exc.field_errors) if exc.field_errors else {}
        body.setdefault("detail", exc.message)
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)
