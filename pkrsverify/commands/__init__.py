"""The subcommands of `pkrsverify`, in the order `--help` lists them."""
from . import check, compare, export, test

COMMANDS = {
    "check": check,
    "compare": compare,
    "test": test,
    "export": export,
}
