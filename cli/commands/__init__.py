"""The command groups; ``cli.main`` registers each module's ``register(subparsers)``."""

from cli.errors import UsageError


def add_id_commands(commands, entries):
    """Sub-commands that take one object id and nothing else: ``[(name, handler, help), …]``."""
    for name, handler, help_text in entries:
        command = commands.add_parser(name, help=help_text)
        command.add_argument("id")
        command.set_defaults(handler=handler)


def read_text_file(path, option):
    """The text of a file named by ``option``, or a one-line usage error saying why it cannot be read."""
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{option}: cannot read {path}: {error}") from error
