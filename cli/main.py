"""`portcullis`: the command-line client; it talks to the REST API only."""

import argparse
import importlib
import os
import sys

from cli.client import ApiClient
from cli.errors import ApiError, CliError
from cli.output import render

COMMAND_MODULES = [
    "cli.commands.service_tokens",
    "cli.commands.secrets",
    "cli.commands.service_credentials",
    "cli.commands.organizations",
    "cli.commands.root_credentials",
]


def build_parser():
    parser = argparse.ArgumentParser(prog="portcullis", description="Manage Portcullis from the command line.")
    parser.add_argument("--url", default=os.environ.get("PORTCULLIS_URL"), help="Server URL (env PORTCULLIS_URL).")
    parser.add_argument("--token", default=os.environ.get("PORTCULLIS_TOKEN"),
                        help="Service token or access token (env PORTCULLIS_TOKEN).")
    parser.add_argument("--client-id", default=os.environ.get("PORTCULLIS_CLIENT_ID"),
                        help="Instead of a token: a credential's client id (env PORTCULLIS_CLIENT_ID) ...")
    parser.add_argument("--client-secret", default=os.environ.get("PORTCULLIS_CLIENT_SECRET"),
                        help="... and its client secret (env PORTCULLIS_CLIENT_SECRET).")
    parser.add_argument("--org", help="Organization slug; by default the token's own.")
    parser.add_argument("--output", choices=["table", "json"], default="table")
    nouns = parser.add_subparsers(dest="noun", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(nouns)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        client = ApiClient(args.url, args.token, client_id=args.client_id, client_secret=args.client_secret)
        # Platform commands (org, root-credential) act above every organization.
        if not args.org and not getattr(args, "platform", False):
            args.org = client.organization()
            if not args.org:
                raise ApiError("This token belongs to no organization: pass --org.")
        result = args.handler(args, client)
    except CliError as error:
        print(f"portcullis: {error}", file=sys.stderr)
        return error.exit_code
    text = render(result, args.output, getattr(args, "columns", None))
    if text:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
