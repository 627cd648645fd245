"""`portcullis org list|get|create|rename|delete`: organizations, for superusers and root credentials
holding `organizations:read` / `organizations:write`."""

import sys
from urllib.parse import quote

LIST_COLUMNS = [
    ("SLUG", "slug"),
    ("NAME", "name"),
    ("MEMBERS", "member_count"),
    ("CREATED", "created_at"),
]
BASE = "orgs/"


def register(subparsers):
    parser = subparsers.add_parser("org", help="Manage organizations (platform permissions).")
    parser.set_defaults(platform=True)
    commands = parser.add_subparsers(dest="org_command", required=True)

    listing = commands.add_parser("list", help="List organizations.")
    listing.add_argument("--search", help="Part of the slug or name.")
    listing.set_defaults(handler=list_organizations, columns=LIST_COLUMNS)

    get = commands.add_parser("get", help="Show an organization.")
    get.add_argument("slug")
    get.set_defaults(handler=get_organization)

    create = commands.add_parser(
        "create", help="Create an organization and its Account Holder, who is e-mailed a link to set a password."
    )
    create.add_argument("--slug", required=True, help="Lowercase letters, digits and hyphens; it cannot change later.")
    create.add_argument("--name", help="Display name (default: the slug).")
    create.add_argument("--account-holder-username", required=True)
    create.add_argument("--account-holder-email", required=True)
    create.set_defaults(handler=create_organization)

    rename = commands.add_parser("rename", help="Change an organization's name (its slug stays).")
    rename.add_argument("slug")
    rename.add_argument("--name", required=True)
    rename.set_defaults(handler=rename_organization)

    delete = commands.add_parser("delete", help="Delete an organization and everything in it (irreversible).")
    delete.add_argument("slug")
    delete.add_argument("--confirm", required=True, metavar="SLUG", help="The organization's slug, typed again.")
    delete.set_defaults(handler=delete_organization)
    return parser


def _path(slug):
    return f"{BASE}{quote(slug, safe='')}/"


def list_organizations(args, client):
    return client.get_all(BASE, {"search": args.search} if args.search else None)


def get_organization(args, client):
    return client.get(_path(args.slug))


def create_organization(args, client):
    body = {
        "slug": args.slug,
        "account_holder": {"username": args.account_holder_username, "email": args.account_holder_email},
    }
    if args.name is not None:
        body["name"] = args.name
    created = client.post(BASE, body)
    print(f"{args.account_holder_email} was sent a link to set a password.", file=sys.stderr)
    return created


def rename_organization(args, client):
    return client.patch(_path(args.slug), {"name": args.name})


def delete_organization(args, client):
    client.delete(_path(args.slug), {"confirm": args.confirm})
    return {"deleted": args.slug}
