"""`portcullis service-credential create|list|get|update|revoke|disable|enable|regenerate|retire-key|delete`."""

import sys
from pathlib import Path
from urllib.parse import quote

from cli import jsontext
from cli.commands import add_id_commands, read_text_file
from cli.errors import ApiError, UsageError

# The API's choices (identity.models.credentials VALIDITY_DAYS, TOKEN_LIFETIMES, AuthMethod), copied
# because the CLI talks to the REST API only and does not import the server; a test keeps them equal.
VALIDITIES = ["30d", "90d", "180d", "365d", "never"]
TOKEN_LIFETIMES = ["15m", "1h", "2h", "8h", "24h"]
AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]
STATUSES = ["active", "disabled", "revoked", "expired"]
GRACE_PERIODS = ["0", "1h", "24h", "7d"]
ROLE_PREFIX = "role:"

LIST_COLUMNS = [
    ("ID", "id"),
    ("NAME", "name"),
    ("CLIENT ID", "client_id"),
    ("STATUS", "status"),
    ("EXPIRES", lambda row: row.get("expires_at") or "never"),
]
DETAIL_FIELDS = [
    "id", "name", "description", "client_id", "realm", "status", "token_endpoint_auth_method", "validity",
    "expires_at", "token_lifetime", "groups", "resource_grants", "bound_resource", "created_by", "created_at",
    "last_used_at", "live_tokens",
]


def register(subparsers):
    parser = subparsers.add_parser("service-credential", help="Manage service credentials (OAuth2 clients).")
    commands = parser.add_subparsers(dest="service_credential_command", required=True)

    create = commands.add_parser("create", help="Create a service credential; its client secret is printed once.")
    create.add_argument("--name", required=True)
    create.add_argument("--description")
    create.add_argument("--validity", choices=VALIDITIES, help="How long it stays valid (server default: 90d).")
    create.add_argument("--token-lifetime", choices=TOKEN_LIFETIMES, help="Lifetime of its access tokens (server default: 1h).")
    _add_access_options(create)
    create.add_argument("--bound-resource", type=int, metavar="RESOURCE_ID",
                        help="Its permissions count only inside this resource.")
    create.add_argument("--auth-method", choices=AUTH_METHODS,
                        help="How it authenticates at the token endpoint (default: client_secret_basic, "
                             "or private_key_jwt with a key file).")
    keys = create.add_mutually_exclusive_group()
    keys.add_argument("--public-key-file", type=Path, metavar="PATH", help="private_key_jwt: the client's public key (PEM).")
    keys.add_argument("--jwks-file", type=Path, metavar="PATH", help='private_key_jwt: the client\'s public keys as JWKS ({"keys": [...]}).')
    create.set_defaults(handler=create_credential)

    listing = commands.add_parser("list", help="List service credentials.")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--search", help="Part of the name, or an exact client id.")
    listing.set_defaults(handler=list_credentials, columns=LIST_COLUMNS)

    add_id_commands(commands, [
        ("get", get_credential, "Show a credential: status, groups, grants, expiry, last use."),
        ("disable", disable_credential, "Disable a credential: token requests and its tokens fail until enabled."),
        ("enable", enable_credential, "Enable a disabled credential."),
    ])

    update = commands.add_parser("update", help="Replace a credential's groups or resource grants (nothing else changes).")
    update.add_argument("id")
    _add_access_options(update)
    update.add_argument("--no-groups", action="store_true", help="Remove it from every group.")
    update.add_argument("--no-grants", action="store_true", help="Remove every resource grant.")
    update.set_defaults(handler=update_credential)

    revoke = commands.add_parser("revoke", help="Revoke a credential for good; its tokens stop working.")
    revoke.add_argument("id")
    revoke.add_argument("--confirm-name", metavar="NAME",
                        help="The credential's exact name (prompted for when omitted on a terminal).")
    revoke.set_defaults(handler=revoke_credential)

    # "regenerate-secret" was this command's first name; scripts written against it keep working.
    regenerate = commands.add_parser(
        "regenerate", aliases=["regenerate-secret"],
        help="Give it a new client id and key, printed once; the previous pair stops now or after --grace-period.",
    )
    regenerate.add_argument("id")
    regenerate.add_argument("--grace-period", choices=GRACE_PERIODS, default="0",
                            help="How long the previous client id and key keep working (default 0: they stop now). "
                                 "Refused while two keys are live: retire one first.")
    regenerate.set_defaults(handler=regenerate_secret)

    retire = commands.add_parser("retire-key", help="End one of its client keys now, with the tokens it got.")
    retire.add_argument("id")
    retire.add_argument("client_id", metavar="CLIENT_ID")
    retire.set_defaults(handler=retire_key)

    delete = commands.add_parser("delete", help="Delete a credential (irreversible; the audit log keeps its history).")
    delete.add_argument("id")
    delete.set_defaults(handler=delete_credential)
    return parser


def _add_access_options(parser):
    parser.add_argument("--group", action="append", type=int, metavar="GROUP_ID", help="A group id; repeat for several.")
    parser.add_argument("--grant", action="append", metavar="RESOURCE_ID=PERMS",
                        help="RESOURCE_ID=perm1,perm2 or RESOURCE_ID=role:NAME; repeat for several.")


def _base(args):
    return f"orgs/{args.org}/service-credentials/"


def _object_path(args, suffix=""):
    return f"{_base(args)}{args.id}/{suffix}"


def _on_credential(args, call):
    """Run ``call``; a 404 names the credential and organization instead of a bare "Not found"."""
    try:
        return call()
    except ApiError as error:
        if error.status == 404:
            raise ApiError(f"404: no service credential {args.id} in organization {args.org}.", status=404) from error
        raise


def parse_grants(values):
    """``["5=studios:read,studios:create", "7=role:deployer"]`` → the API's ``resource_grants``."""
    grants = []
    for value in values or []:
        resource, separator, rest = value.partition("=")
        items = [item.strip() for item in rest.split(",") if item.strip()]
        if not separator or not resource.strip().isdigit() or not items:
            raise UsageError(f"--grant {value!r}: expected RESOURCE_ID=perm1,perm2 or RESOURCE_ID=role:NAME.")
        resource_id = int(resource)
        roles = [item[len(ROLE_PREFIX):] for item in items if item.startswith(ROLE_PREFIX)]
        permissions = [item for item in items if not item.startswith(ROLE_PREFIX)]
        if any(not role for role in roles):
            raise UsageError(f"--grant {value!r}: give a role name after {ROLE_PREFIX!r}.")
        if permissions:
            grants.append({"resource": resource_id, "permissions": permissions})
        grants.extend({"resource": resource_id, "role": role} for role in roles)
    return grants


def _public_keys(args):
    """The auth method and key fields of the create body, from --auth-method and the key files."""
    has_key = bool(args.public_key_file or args.jwks_file)
    method = args.auth_method or ("private_key_jwt" if has_key else None)
    if has_key and method != "private_key_jwt":
        raise UsageError("--public-key-file and --jwks-file go with --auth-method private_key_jwt.")
    if method == "private_key_jwt" and not has_key:
        raise UsageError("--auth-method private_key_jwt needs --public-key-file or --jwks-file.")
    body = {"token_endpoint_auth_method": method} if method else {}
    if args.public_key_file:
        body["public_key"] = read_text_file(args.public_key_file, "--public-key-file")
    if args.jwks_file:
        try:
            body["jwks"] = jsontext.loads(read_text_file(args.jwks_file, "--jwks-file"))
        except jsontext.JSONTextError as error:
            raise UsageError(f"--jwks-file: {args.jwks_file}: {error.message}") from error
    return body


def _keys_once(args, response):
    """The once-only keys: everything as JSON, or client id, secret and token URL for people."""
    if response.get("client_secret"):
        print("The client secret is shown once: store it now.", file=sys.stderr)
    if args.output == "json":
        return response
    shown = {key: response.get(key) for key in ("id", "name", "client_id", "client_secret", "realm", "token_url")}
    if not response.get("client_secret"):
        del shown["client_secret"]
    if len(response.get("keys") or []) > 1:
        shown["keys"] = _key_lines(response["keys"])
    return shown


def _key_lines(keys):
    """Each live client key on one line of the detail view: client id, created, last used, end."""
    return "; ".join(
        f"{key['client_id']} created {key.get('created_at') or '-'} last used {key.get('last_used_at') or 'never'} "
        f"ends {key.get('expires_at') or 'never'}"
        for key in keys
    ) or None


def _readable(credential, output):
    """A detail response for the table view: grants as ``RESOURCE=perm,perm``, keys by id."""
    if output == "json":
        return credential
    shown = {key: credential.get(key) for key in DETAIL_FIELDS if key in credential}
    shown["expires_at"] = credential.get("expires_at") or "never"
    if "resource_grants" in credential:
        # A grant made from a role shows the role (it follows the role); others their permissions.
        shown["resource_grants"] = "; ".join(
            f"{grant['resource']}={ROLE_PREFIX + grant['role'] if grant.get('role') else ','.join(grant['permissions'])}"
            for grant in credential["resource_grants"]
        ) or None
    if "keys" in credential:
        shown["keys"] = _key_lines(credential["keys"])
    keys = (credential.get("jwks") or {}).get("keys") or []
    if keys:
        shown["public_keys"] = ",".join(key.get("kid") or key.get("kty", "?") for key in keys)
    return shown


def create_credential(args, client):
    body = {"name": args.name}
    if args.description is not None:
        body["description"] = args.description
    if args.validity:
        body["validity"] = args.validity
    if args.token_lifetime:
        body["token_lifetime"] = args.token_lifetime
    if args.group:
        body["groups"] = args.group
    if args.grant:
        body["resource_grants"] = parse_grants(args.grant)
    if args.bound_resource is not None:
        body["bound_resource"] = args.bound_resource
    body.update(_public_keys(args))
    return _keys_once(args, client.post(_base(args), body))


def list_credentials(args, client):
    params = {key: getattr(args, key) for key in ("status", "search") if getattr(args, key)}
    return client.get_all(_base(args), params)


def get_credential(args, client):
    return _readable(_on_credential(args, lambda: client.get(_object_path(args))), args.output)


def update_credential(args, client):
    if args.group and args.no_groups:
        raise UsageError("--group and --no-groups exclude each other.")
    if args.grant and args.no_grants:
        raise UsageError("--grant and --no-grants exclude each other.")
    body = {}
    if args.group or args.no_groups:
        body["groups"] = args.group or []
    if args.grant or args.no_grants:
        body["resource_grants"] = parse_grants(args.grant)
    if not body:
        raise UsageError("Nothing to change: give --group, --grant, --no-groups or --no-grants.")
    return _readable(_on_credential(args, lambda: client.patch(_object_path(args), body)), args.output)


def _confirm_name(args):
    if args.confirm_name is not None:
        return args.confirm_name
    if not sys.stdin.isatty():
        raise UsageError("revoke: pass --confirm-name NAME with the credential's exact name.")
    print("Type the credential's name to revoke it: ", end="", file=sys.stderr, flush=True)
    try:
        return input()
    except EOFError as error:
        raise UsageError("revoke: no name typed; pass --confirm-name NAME.") from error


def revoke_credential(args, client):
    body = {"name": _confirm_name(args)}
    return _readable(_on_credential(args, lambda: client.post(_object_path(args, "revoke/"), body)), args.output)


def disable_credential(args, client):
    return _readable(_on_credential(args, lambda: client.post(_object_path(args, "disable/"), {})), args.output)


def enable_credential(args, client):
    return _readable(_on_credential(args, lambda: client.post(_object_path(args, "enable/"), {})), args.output)


def regenerate_secret(args, client):
    body = {"grace_period": args.grace_period}
    return _keys_once(args, _on_credential(args, lambda: client.post(_object_path(args, "regenerate-secret/"), body)))


def retire_key(args, client):
    try:
        credential = client.post(_object_path(args, f"keys/{quote(args.client_id, safe='')}/retire/"), {})
    except ApiError as error:
        if error.status == 404:
            raise ApiError(f"404: no live client key {args.client_id} on service credential {args.id} "
                           f"in organization {args.org}.", status=404) from error
        raise
    return _readable(credential, args.output)


def delete_credential(args, client):
    _on_credential(args, lambda: client.delete(_object_path(args)))
    return {"deleted": args.id}
