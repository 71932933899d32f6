"""The subcommands of `pkrsverify`, in the order `--help` lists them."""
from . import check

COMMANDS = {
    "check": check,
}
