"""`portcullis secret create|list|get|value|deactivate|activate|delete`: the vault over the REST API."""

from pathlib import Path

from cli import jsontext
from cli.commands import add_id_commands, read_text_file
from cli.errors import UsageError
from cli.pairs import PairsFileError, parse_pairs

SECRET_TYPES = ["api_key", "bearer_token", "client_credentials", "certificate", "key_value"]
LIST_COLUMNS = [("ID", "id"), ("NAME", "name"), ("TYPE", "type"), ("STATUS", "status"), ("EXPIRATION", "expires_at")]


def register(subparsers):
    parser = subparsers.add_parser("secret", help="Manage the secrets vault.")
    commands = parser.add_subparsers(dest="secret_command", required=True)

    create = commands.add_parser("create", help="Register a secret.")
    create.add_argument("--name", required=True)
    create.add_argument("--type", required=True, choices=SECRET_TYPES)
    create.add_argument("--value-json", help="The whole value as JSON, e.g. '{\"header_name\": \"X-Key\", \"value\": \"…\"}'.")
    create.add_argument("--header-name")
    create.add_argument("--value", help="api_key: the key; bearer_token: the header value.")
    create.add_argument("--client-id")
    create.add_argument("--client-secret")
    create.add_argument("--scopes", help="Comma-separated scopes.")
    create.add_argument("--certificate-file", type=Path)
    create.add_argument("--private-key-file", type=Path)
    create.add_argument("--pairs-file", type=Path, help="A .env or JSON file of keys and values.")
    create.add_argument("--expires-at", help="ISO 8601 date and time.")
    create.add_argument("--personal", action="store_true", help="Keep it in your own profile.")
    create.set_defaults(handler=create_secret)

    listing = commands.add_parser("list", help="List secrets (metadata only).")
    listing.add_argument("--type", choices=SECRET_TYPES)
    listing.add_argument("--status", choices=["active", "inactive", "expiring_soon", "expired"])
    listing.add_argument("--search")
    listing.add_argument("--personal", action="store_true")
    listing.set_defaults(handler=list_secrets, columns=LIST_COLUMNS)

    add_id_commands(commands, [
        ("get", get_secret, "Show a secret's metadata."),
        ("value", read_value, "Print a secret's value (audited)."),
        ("deactivate", deactivate_secret, "Deactivate a secret: reads of its value fail."),
        ("activate", activate_secret, "Activate a deactivated secret."),
        ("delete", delete_secret, "Delete a secret (irreversible)."),
    ])
    return parser


def _base(args):
    return f"orgs/{args.org}/secrets/"


def build_value(args):
    """The `value` object for the API from the type-specific options (or --value-json)."""
    if args.value_json:
        try:
            value = jsontext.loads(args.value_json)
        except jsontext.JSONTextError as error:
            raise UsageError(f"--value-json: {error.message}") from error
        if not isinstance(value, dict):
            raise UsageError("--value-json: give a JSON object.")
        return value
    if args.type == "api_key":
        return {"header_name": args.header_name, "value": args.value}
    if args.type == "bearer_token":
        return {"header_name": args.header_name or "Authorization", "header_value": args.value}
    if args.type == "client_credentials":
        scopes = [s.strip() for s in (args.scopes or "").split(",") if s.strip()]
        return {"client_id": args.client_id, "client_secret": args.client_secret, "scopes": scopes}
    if args.type == "certificate":
        if not args.certificate_file:
            raise UsageError("--certificate-file is required for a certificate.")
        value = {"certificate": read_text_file(args.certificate_file, "--certificate-file")}
        if args.private_key_file:
            value["private_key"] = read_text_file(args.private_key_file, "--private-key-file")
        return value
    if not args.pairs_file:
        raise UsageError("--pairs-file (or --value-json) is required for a key_value secret.")
    try:
        content = args.pairs_file.read_bytes()
    except OSError as error:
        raise UsageError(f"--pairs-file: cannot read {args.pairs_file}: {error}") from error
    try:
        return {"pairs": parse_pairs(content, args.pairs_file.name)}
    except PairsFileError as error:
        raise UsageError(f"--pairs-file: {error}") from error


def create_secret(args, client):
    body = {"name": args.name, "type": args.type, "value": build_value(args), "personal": args.personal}
    if args.expires_at:
        body["expires_at"] = args.expires_at
    return client.post(_base(args), body)


def list_secrets(args, client):
    params = {key: getattr(args, key) for key in ("type", "status", "search") if getattr(args, key)}
    if args.personal:
        params["personal"] = "true"
    return client.get_all(_base(args), params)


def get_secret(args, client):
    return client.get(f"{_base(args)}{args.id}/")


def read_value(args, client):
    return client.get(f"{_base(args)}{args.id}/value/")


def deactivate_secret(args, client):
    return client.post(f"{_base(args)}{args.id}/deactivate/", {})


def activate_secret(args, client):
    return client.post(f"{_base(args)}{args.id}/activate/", {})


def delete_secret(args, client):
    client.delete(f"{_base(args)}{args.id}/")
    return {"deleted": args.id}
