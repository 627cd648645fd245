"""`portcullis service-token create|list|delete`."""

import sys

LIST_COLUMNS = [
    ("ID", "id"),
    ("NAME", "name"),
    ("EXPIRATION", lambda row: row.get("expires_at") or "never"),
    ("ROLES", "roles"),
]


def register(subparsers):
    parser = subparsers.add_parser("service-token", help="Manage service tokens (API keys).")
    commands = parser.add_subparsers(dest="service_token_command", required=True)

    create = commands.add_parser("create", help="Create a service token; it is printed once.")
    create.add_argument("--name", required=True)
    create.add_argument("--roles", required=True, help="Comma-separated role names, e.g. sys_admin.")
    create.add_argument("--expires-in", help="e.g. 24h or 30d; never expires when omitted.")
    create.set_defaults(handler=create_token)

    listing = commands.add_parser("list", help="List service tokens.")
    listing.set_defaults(handler=list_tokens, columns=LIST_COLUMNS)

    delete = commands.add_parser("delete", help="Delete a service token.")
    delete.add_argument("id")
    delete.set_defaults(handler=delete_token)
    return parser


def _base(args):
    return f"orgs/{args.org}/service-tokens/"


def create_token(args, client):
    body = {"name": args.name, "roles": [r.strip() for r in args.roles.split(",") if r.strip()], "expires_in": args.expires_in}
    created = client.post(_base(args), body)
    print("The token is shown once: store it now.", file=sys.stderr)
    return created if args.output == "json" else created["token"]


def list_tokens(args, client):
    return client.get_all(_base(args))


def delete_token(args, client):
    client.delete(f"{_base(args)}{args.id}/")
    return {"deleted": args.id}
