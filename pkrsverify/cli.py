"""The command line: arguments -> a command -> its outcome -> the exit code.

The only module (with commands/) that prints, reads options and exits.
Each subcommand lives in `commands/NAME.py` with `add_arguments(parser)` and
`run(args, terminal) -> Outcome`; outcome.py turns an outcome into the exit
code (and owns the table of codes).
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback

from rich.console import Console

from .commands import COMMANDS
from .commands.common import Terminal
from .front.diagnostics import InputError
from .outcome import ExitCode, Outcome, exit_code


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own usage errors: exit 2, no traceback
        self.print_usage(sys.stderr)
        print(f"pkrsverify: error: {message}", file=sys.stderr)
        raise SystemExit(int(ExitCode.INPUT))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pkrsverify", description="Model-check how a per-CPU register (PKRS) is kept "
                     "across nested kernel entries and context switches.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, module in COMMANDS.items():
        module.add_arguments(commands.add_parser(name, help=module.HELP, description=module.HELP))
    return parser


def terminal_for(plain_flag: bool) -> Terminal:
    """Rich on a terminal; plain text (no colour, ASCII) when piped, asked for, or NO_COLOR is set."""
    no_color = "NO_COLOR" in os.environ
    plain = plain_flag or not sys.stdout.isatty() or no_color
    out = Console(file=sys.stdout, no_color=plain, highlight=False, soft_wrap=False, markup=False,
                  width=None if sys.stdout.isatty() else 100, emoji=False)
    err = Console(file=sys.stderr, highlight=False, markup=False, no_color=no_color or not sys.stderr.isatty())
    return Terminal(out, err, plain)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    terminal = terminal_for(getattr(args, "plain", False))
    try:
        outcome = COMMANDS[args.command].run(args, terminal)
    except InputError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.render(), file=sys.stderr)
        count = len(error.diagnostics)
        print(f"pkrsverify: {count} error{'s' if count != 1 else ''}; nothing was checked", file=sys.stderr)
        outcome = Outcome(input_error=True)
    except KeyboardInterrupt:
        print("pkrsverify: interrupted", file=sys.stderr)
        outcome = Outcome(interrupted=True)
    except BrokenPipeError:
        # The reader (`| head`) closed the pipe: the report was not delivered
        # whole, so no verdict can be claimed. Point stdout at /dev/null so
        # the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        outcome = Outcome(undecided=True)
    except Exception:  # noqa: BLE001 - anything else is a bug of ours: never a verdict, never exit 1
        print("pkrsverify: internal error, please report it with the command and this traceback:", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        outcome = Outcome(internal=True)
    return exit_code(outcome)


def main_exit() -> None:
    """The console script: `pkrsverify ...`."""
    sys.exit(main())
