"""Key/value pairs from a `.env` or JSON file, read alike by the CLI and the portal's upload.

Standard library only: the server imports this module (``secrets_vault.payloads``) so a file means
the same pairs whichever way it is sent, and the CLI must run without Django.
"""

from cli import jsontext


class PairsFileError(ValueError):
    """The file cannot be read as pairs; the message says why, for the person who chose the file."""


def parse_pairs(content, filename=""):
    """``{key: value}`` from ``content`` (bytes or text): JSON when named ``.json`` or an object, else `.env`."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise PairsFileError("The file is not UTF-8 text.") from error
    if filename.lower().endswith(".json") or content.lstrip().startswith("{"):
        return _pairs_from_json(content)
    return _pairs_from_env(content)


def _pairs_from_json(content):
    try:
        data = jsontext.loads(content)
    except jsontext.JSONTextError as error:
        raise PairsFileError(error.message) from error
    if not isinstance(data, dict) or not data:
        raise PairsFileError("The JSON file must hold one object of keys and values.")
    pairs = {}
    for key, item in data.items():
        if isinstance(item, bool):
            item = "true" if item else "false"
        elif isinstance(item, (int, float)):
            item = str(item)
        elif not isinstance(item, str):
            raise PairsFileError(f"The value of “{key}” must be a string, number or boolean.")
        pairs[key] = item
    return pairs


def _pairs_from_env(content):
    pairs = {}
    for number, line in enumerate(content.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, item = line.partition("=")
        key = key.strip()
        if not sep or not key or " " in key:
            raise PairsFileError(f"Line {number}: expected KEY=VALUE.")
        item = item.strip()
        if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
            item = item[1:-1]
        pairs[key] = item
    if not pairs:
        raise PairsFileError("The file holds no KEY=VALUE lines.")
    return pairs
