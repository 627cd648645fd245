"""The API's JSON parser: DRF's, reading through ``cli.jsontext`` so no body can answer 500.

DRF's own parser hands the text to ``json.load``: JSON nested 10,000 deep overflows the stack
there, and a ``\\ud800`` escape comes out as a lone surrogate that SQLite and PostgreSQL both
refuse. A body that is not JSON within those limits is a ``ParseError``; a lone surrogate inside
it is a field error naming the field, like any other bad value.
"""

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from cli import jsontext
from identity.errors import InvalidInput


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            # bytes.decode accepts text codecs only, never a decompressing one such as bz2_codec.
            text = stream.read().decode(encoding)
        except (LookupError, UnicodeDecodeError) as error:
            raise ParseError(f"The body is not {encoding} text.") from error
        try:
            return jsontext.loads(text)
        except jsontext.JSONTextError as error:
            if error.field:
                raise InvalidInput(error.message, field_errors={error.field: [error.message]}) from error
            raise ParseError(error.message) from error
