"""The command groups; ``cli.main`` registers each module's ``register(subparsers)``."""


def add_id_commands(commands, entries):
    """Sub-commands that take one object id and nothing else: ``[(name, handler, help), …]``."""
    for name, handler, help_text in entries:
        command = commands.add_parser(name, help=help_text)
        command.add_argument("id")
        command.set_defaults(handler=handler)
