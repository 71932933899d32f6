"""The subcommands of `pkrsverify`, in the order `--help` lists them."""
from . import check, compare, export, size, test

COMMANDS = {
    "check": check,
    "size": size,
    "compare": compare,
    "test": test,
    "export": export,
}
