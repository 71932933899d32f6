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
from importlib import import_module

from . import __version__
from .commands import COMMANDS
from .outcome import EXIT_CODES, ExitCode, Outcome, exit_code


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own usage errors: exit 2, no traceback
        self.print_usage(sys.stderr)
        print(f"pkrsverify: error: {message}", file=sys.stderr)
        raise SystemExit(int(ExitCode.INPUT))


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the subcommand `argv` names (all of them when argv is None) gets its options,
    so that `pkrsverify --help` imports none of the stages."""
    named = next((a for a in argv if not a.startswith("-")), None) if argv is not None else None
    epilog = "exit codes:\n" + EXIT_CODES
    parser = _Parser(prog="pkrsverify", description="Model-check how a per-CPU register (PKRS) is kept "
                     "across nested kernel entries and context switches.", epilog=epilog,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"pkrsverify {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text, epilog=epilog,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        if argv is None or name == named:
            import_module(f".commands.{name}", __package__).add_arguments(sub)
    return parser


def terminal_for(plain_flag: bool):
    """Rich on a terminal; plain text (no colour, ASCII) when piped, asked for, or NO_COLOR is set."""
    from rich.console import Console  # here: only a command that runs needs it, not --help

    from .commands.common import Terminal

    no_color = "NO_COLOR" in os.environ
    plain = plain_flag or not sys.stdout.isatty() or no_color
    out = Console(file=sys.stdout, no_color=plain, highlight=False, soft_wrap=False, markup=False,
                  width=None if sys.stdout.isatty() else 100, emoji=False)
    err = Console(file=sys.stderr, highlight=False, markup=False, no_color=no_color or not sys.stderr.isatty())
    return Terminal(out, err, plain)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(sys.argv[1:] if argv is None else list(argv))
    except KeyboardInterrupt:  # while the command's modules load, before it runs (caught again inside)
        print("pkrsverify: interrupted", file=sys.stderr)
        return exit_code(Outcome(interrupted=True))


def _main(argv: list[str]) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:  # bare `pkrsverify`: what it can do, and that a command is missing
        parser.print_help()
        return int(ExitCode.INPUT)
    from .front.diagnostics import InputError  # here: not needed for --help

    terminal = terminal_for(getattr(args, "plain", False))
    try:
        outcome = import_module(f".commands.{args.command}", __package__).run(args, terminal)
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
