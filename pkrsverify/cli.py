"""The command line: arguments -> pipeline -> report -> exit code.

The only module that prints, reads options and exits. Exit codes:
0 every property holds (or is proved), 1 a property is violated,
2 the input or the command line is wrong, 3 a limit was hit before a verdict.
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass

from rich.console import Console
from rich.text import Text

from . import ir
from .diagnostics import InputError
from .engines.explicit import Limits, Progress, check
from .loader import load_strategy, with_bounds
from .report.json_format import render_json
from .report.text import header, render_text, violation
from .result import CheckResult
from .system import System

EXIT_HOLDS, EXIT_VIOLATED, EXIT_INPUT, EXIT_LIMIT = 0, 1, 2, 3
DEFAULT_MAX_STATES = 5_000_000  # about 4 GB of visited states; raise it with --max-states


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own usage errors: exit 2, no traceback
        self.print_usage(sys.stderr)
        print(f"pkrsverify: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, not {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, not {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("expected a positive number of seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pkrsverify", description="Model-check how a per-CPU register (PKRS) is kept "
                     "across nested kernel entries and context switches.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check_cmd = commands.add_parser("check", help="check strategy specs against their model")
    check_cmd.add_argument("files", nargs="+", metavar="FILE", help="strategy spec(s)")
    for bound in ("tasks", "kthreads", "cpus", "depth"):
        check_cmd.add_argument(f"--{bound}", type=_positive, metavar="N", help=f"override the {bound} bound")
    check_cmd.add_argument("--property", action="append", choices=[p.value for p in ir.Property],
                           metavar="P", help="check only this property (repeatable)")
    check_cmd.add_argument("--format", choices=("text", "json"), default="text")
    check_cmd.add_argument("--max-states", type=_positive, default=DEFAULT_MAX_STATES, metavar="N",
                           help=f"stop with UNKNOWN after N states (default {DEFAULT_MAX_STATES:,})")
    check_cmd.add_argument("--timeout", type=_seconds, metavar="SECONDS", help="stop with UNKNOWN after this long")
    check_cmd.add_argument("--plain", action="store_true", help="no colour, ASCII tables (for mail)")
    return parser


@dataclass
class _Terminal:
    """Where output goes: rich on a terminal, plain text otherwise."""

    out: Console
    err: Console
    plain: bool


def _terminal(plain_flag: bool) -> _Terminal:
    plain = plain_flag or not sys.stdout.isatty() or "NO_COLOR" in os.environ
    out = Console(file=sys.stdout, no_color=plain, highlight=False, soft_wrap=False, markup=False,
                  width=None if sys.stdout.isatty() else 100, emoji=False)
    err = Console(file=sys.stderr, highlight=False, markup=False, no_color="NO_COLOR" in os.environ or not sys.stderr.isatty())
    return _Terminal(out, err, plain)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    terminal = _terminal(getattr(args, "plain", False))
    try:
        if args.command == "check":
            return _check(args, terminal)
    except InputError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.render(), file=sys.stderr)
        count = len(error.diagnostics)
        print(f"pkrsverify: {count} error{'s' if count != 1 else ''}; nothing was checked", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("pkrsverify: interrupted", file=sys.stderr)
        return EXIT_LIMIT
    raise AssertionError(f"unhandled command {args.command}")


def _check(args, terminal: _Terminal) -> int:
    # Load every spec first: bad input anywhere is reported before any search starts.
    errors, strategies = [], []
    for path in args.files:
        try:
            strategy = load_strategy(path)
            strategies.append((path, with_bounds(strategy, tasks=args.tasks, kthreads=args.kthreads,
                                                 cpus=args.cpus, depth=args.depth)))
        except InputError as error:
            errors.extend(error.diagnostics)
    if errors:
        raise InputError(errors)
    properties = tuple(ir.Property(p) for p in args.property) if args.property else None
    limits = Limits(max_states=args.max_states or None, timeout=args.timeout)
    results = [_check_one(path, strategy, properties, limits, args.format, terminal) for path, strategy in strategies]
    if args.format == "json":
        terminal.out.file.write(render_json(results))
    return exit_code(results)


def _check_one(path, strategy, properties, limits, fmt, terminal: _Terminal) -> CheckResult:
    system = System(strategy)
    text = fmt == "text"
    if text:
        terminal.out.print(header_line(path, strategy))
    live = _progress(terminal) if text else None
    on_violation = (lambda found: _print_above(terminal, live, violation(found, terminal.plain))) if text else None
    try:
        if live:
            live.start()
        result = check(system, spec=path, properties=properties, limits=limits, on_violation=on_violation,
                       on_progress=(lambda p: live.update(_progress_text(p))) if live else None)
    finally:
        if live:
            live.stop()
    if text:
        terminal.out.print(render_text(result, terminal.plain, streamed=True).renderables[-1])
        terminal.out.print()
    return result


def header_line(path: str, strategy: ir.Strategy) -> Text:
    text = Text()
    text.append(f"{strategy.name}", style="bold")
    text.append(f" ({path}): model {strategy.model.name}, {strategy.bounds.describe()}")
    return text


def _progress(terminal: _Terminal):
    if not terminal.out.is_terminal:
        return None
    from rich.live import Live
    return Live(Text("starting..."), console=terminal.out, transient=True, refresh_per_second=4)


def _progress_text(p: Progress) -> Text:
    rate = p.states / p.seconds if p.seconds else 0
    return Text(f"  {p.states:,} states, {rate:,.0f} states/s, BFS level {p.level}, queue {p.queue:,}, "
                f"{p.seconds:.1f} s", style="dim")


def _print_above(terminal: _Terminal, live, renderable) -> None:
    (live.console if live else terminal.out).print(renderable)


def exit_code(results: list[CheckResult]) -> int:
    if any(r.violated for r in results):
        return EXIT_VIOLATED
    if any(r.unknown for r in results):
        return EXIT_LIMIT
    return EXIT_HOLDS


__all__ = ["main", "exit_code", "header"]


def main_exit() -> None:
    """The console script: `pkrsverify ...`."""
    sys.exit(main())
