"""Turn domain errors into API responses, with field errors where the input was at fault."""

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from identity.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = dict(exc.field_errors) if exc.field_errors else {}
        body.setdefault("detail", exc.message)
        return Response(body, status=exc.status_code)
    if isinstance(exc, exceptions.ParseError):
        return Response({"detail": "Malformed JSON in the request body."}, status=400)
    return drf_exception_handler(exc, context)
