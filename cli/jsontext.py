"""JSON text with the limits the server and the CLI both apply: nesting depth and storable text.

Python's parser recurses once per level, so `[` nested 10,000 deep exhausts the stack before it
returns; the depth is counted on the text first. A `\\ud800` escape decodes to a lone surrogate,
which neither SQLite nor a UTF-8 encoder accepts, and PostgreSQL refuses `\\u0000` in text and
JSON alike: a string (or key) holding either is refused here, naming where it sits. NaN and
Infinity are not JSON and are refused too.

Standard library only: the server imports this module, and the CLI must run without Django.
"""

import json
import re

MAX_DEPTH = 64

# Escapes first, so an escaped quote never toggles the string state; brackets inside strings
# are skipped by that state. Every alternative is one or two characters: one linear pass.
_STRUCTURE = re.compile(r'\\.|["\[\]{}]', re.DOTALL)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# What can put a NUL or a lone surrogate into a decoded value: the character itself, or its
# escape (\u0000, \ud800-\udfff). Text with neither needs no walk through its value.
_MAY_HOLD_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]|\\u(?:0000|[dD][89a-fA-F])")


class JSONTextError(ValueError):
    """The text is not JSON we accept; ``field`` is the dotted path at fault ("" for the whole text)."""

    def __init__(self, message, field=""):
        super().__init__(message)
        self.message = message
        self.field = field


def loads(text):
    """The value of the JSON ``text``, or ``JSONTextError`` saying what is wrong and where."""
    if _deeper_than(text, MAX_DEPTH):
        raise JSONTextError(f"JSON nested deeper than {MAX_DEPTH} levels.")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise JSONTextError(f"The JSON is malformed: {error.msg} (line {error.lineno}, column {error.colno}).") from error
    except ValueError as error:  # NaN or Infinity, or an integer of thousands of digits
        raise JSONTextError(f"The JSON is malformed: {str(error).rstrip('.')}.") from error
    path = _unstorable_path(value, ()) if _MAY_HOLD_UNSTORABLE.search(text) else None
    if path is not None:
        field = ".".join(path)
        raise JSONTextError(f"{field or 'The JSON'} holds a NUL character or a lone surrogate "
                            "(\\ud800-\\udfff without its pair): neither can be stored.", field)
    return value


def _deeper_than(text, limit):
    if text.count("[") + text.count("{") <= limit:
        return False  # every opening bracket counted, in strings too: it cannot nest deeper
    depth, in_string = 0, False
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token == '"':
            in_string = not in_string
        elif in_string or token[0] == "\\":
            continue
        elif token in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _unstorable_path(value, path):
    """The path of the first string holding a NUL or a lone surrogate (for a key: of its object), or None.

    The depth is bounded by ``MAX_DEPTH`` already, so recursing is safe.
    """
    if isinstance(value, str):
        return path if _UNSTORABLE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _UNSTORABLE.search(key):
                return path
            found = _unstorable_path(item, (*path, key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _unstorable_path(item, (*path, str(index)))
            if found is not None:
                return found
    return None
