"""Reading key/value pairs from an uploaded .env or JSON file, with errors on the field."""

import pytest

from identity.errors import InvalidInput
from secrets_vault.payloads import parse_pairs_file


def test_env_files_are_read_with_comments_quotes_and_export():
    content = b'# comment\nexport DB_USER=app\nDB_PASSWORD="s3cret=x"\n\nEMPTY=\n'
    assert parse_pairs_file(content, "prod.env") == {"DB_USER": "app", "DB_PASSWORD": "s3cret=x", "EMPTY": ""}


def test_json_files_are_read_with_scalars_as_strings():
    assert parse_pairs_file(b'{"A": "x", "PORT": 5432, "ON": true}', "vars.json") == {"A": "x", "PORT": "5432", "ON": "true"}


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"NOT A PAIR\n", ".env", "Line 1"),
        (b"{bad json", "x.json", "malformed"),
        (b'{"A": {"nested": 1}}', "x.json", "must be a string"),
        (b"\xff\xfe\x00", ".env", "UTF-8"),
        (b"# nothing\n", ".env", "no KEY=VALUE"),
        (b"A=" + b"x" * (300 * 1024), ".env", "too large"),
    ],
)
def test_bad_files_are_named_on_the_field(content, name, message):
    with pytest.raises(InvalidInput) as caught:
        parse_pairs_file(content, name)
    assert message in caught.value.field_errors["pairs_file"][0]
