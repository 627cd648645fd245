"""`portcullis root-credential create|list|get|delete`: service credentials outside every
organization, holding platform permissions (for superusers and `root_service_credentials:*`)."""

import sys
from urllib.parse import quote
from pathlib import Path

from cli.commands import read_text_file
from cli.commands.service_credentials import AUTH_METHODS
from cli.errors import UsageError

# identity.permissions.PLATFORM_PERMISSIONS, copied: the CLI does not import the server.
PLATFORM_PERMISSIONS = [
    "organizations:read",
    "organizations:write",
    "root_service_credentials:read",
    "root_service_credentials:write",
]
LIST_COLUMNS = [
    ("ID", "id"),
    ("NAME", "name"),
    ("CLIENT ID", "client_id"),
    ("PERMISSIONS", "permissions"),
    ("STATUS", "status"),
]
BASE = "root/service-credentials/"


def register(subparsers):
    parser = subparsers.add_parser("root-credential", help="Manage root service credentials (platform permissions).")
    parser.set_defaults(platform=True)
    commands = parser.add_subparsers(dest="root_credential_command", required=True)

    create = commands.add_parser("create", help="Create a root credential; its client secret is printed once.")
    create.add_argument("--name", required=True)
    create.add_argument("--permissions", required=True, metavar="P[,P]",
                        help="Comma-separated: " + ", ".join(PLATFORM_PERMISSIONS) + ".")
    create.add_argument("--method", choices=AUTH_METHODS,
                        help="Token endpoint authentication (default client_secret_basic; "
                             "private_key_jwt with --public-key-file).")
    create.add_argument("--public-key-file", type=Path, metavar="PATH", help="private_key_jwt: the client's public key (PEM).")
    create.set_defaults(handler=create_root_credential)

    listing = commands.add_parser("list", help="List root credentials.")
    listing.set_defaults(handler=list_root_credentials, columns=LIST_COLUMNS)

    get = commands.add_parser("get", help="Show a root credential.")
    get.add_argument("reference", metavar="ID_OR_CLIENT_ID")
    get.set_defaults(handler=get_root_credential)

    delete = commands.add_parser("delete", help="Delete a root credential; its tokens stop working.")
    delete.add_argument("reference", metavar="ID_OR_CLIENT_ID")
    delete.set_defaults(handler=delete_root_credential)
    return parser


def _path(reference):
    return f"{BASE}{quote(reference, safe='')}/"


def create_root_credential(args, client):
    permissions = [p.strip() for p in args.permissions.split(",") if p.strip()]
    if not permissions:
        raise UsageError("--permissions: give at least one, e.g. organizations:read.")
    method = args.method or ("private_key_jwt" if args.public_key_file else None)
    if args.public_key_file and method != "private_key_jwt":
        raise UsageError("--public-key-file goes with --method private_key_jwt.")
    if method == "private_key_jwt" and not args.public_key_file:
        raise UsageError("--method private_key_jwt needs --public-key-file.")
    body = {"name": args.name, "permissions": permissions}
    if method:
        body["token_endpoint_auth_method"] = method
    if args.public_key_file:
        body["public_key"] = read_text_file(args.public_key_file, "--public-key-file")
    created = client.post(BASE, body)
    if created.get("client_secret"):
        print("The client secret is shown once: store it now.", file=sys.stderr)
    if args.output == "json":
        return created
    keys = ("id", "name", "client_id", "client_secret", "permissions", "token_endpoint_auth_method", "token_url")
    return {key: created.get(key) for key in keys if key != "client_secret" or created.get(key)}


def list_root_credentials(args, client):
    return client.get_all(BASE)


def get_root_credential(args, client):
    return client.get(_path(args.reference))


def delete_root_credential(args, client):
    client.delete(_path(args.reference))
    return {"deleted": args.reference}
