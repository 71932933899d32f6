"""The subcommands of `pkrsverify`, in the order `--help` lists them, with their one-line help.

Each is a module `commands/NAME.py` with `add_arguments(parser)` and `run(args, terminal) -> Outcome`;
cli.py imports only the one a command line names, so that `pkrsverify --help` stays instant.
"""
COMMANDS = {
    "check": "check strategy specs against their model",
    "size": "size the stacks of strategy specs: the entries each can need, and a shortest path to them",
    "compare": "compare designs: verdicts, review figures and each one's shortest counterexample",
    "repair": "the smallest edits that make every property of a broken spec hold, each repair verified",
    "synthesize": "every correct completion of a sketch (a spec with `choose` holes), and the cheapest of them",
    "test": "check every spec against its `expect` lines (a regression suite)",
    "export": "write a spec as a Promela model for SPIN",
}
