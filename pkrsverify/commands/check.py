"""`pkrsverify check FILE...`: verdicts and shortest counterexamples."""
from __future__ import annotations

import argparse

from rich.live import Live
from rich.text import Text

from .. import ir
from ..engines.explicit import Limits, Progress, check
from ..report.json_format import render_json
from ..report.text import render_text, violation
from ..result import CheckResult
from ..system import System
from .common import Terminal, add_bound_arguments, exit_code, load_all, seconds, whole_number

HELP = "check strategy specs against their model"
DEFAULT_MAX_STATES = 5_000_000  # about 4 GB of visited states; raise it with --max-states


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="strategy spec(s)")
    add_bound_arguments(parser)
    parser.add_argument("--property", action="append", choices=[p.value for p in ir.Property],
                        metavar="P", help="check only this property (repeatable)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--max-states", type=whole_number, default=DEFAULT_MAX_STATES, metavar="N",
                        help=f"stop with UNKNOWN after N states (default {DEFAULT_MAX_STATES:,})")
    parser.add_argument("--timeout", type=seconds, metavar="SECONDS", help="stop with UNKNOWN after this long")
    parser.add_argument("--plain", action="store_true", help="no colour, ASCII tables (for mail)")


def run(args, terminal: Terminal) -> int:
    strategies = load_all(args.files, args)  # bad input anywhere is reported before any search
    properties = tuple(ir.Property(p) for p in args.property) if args.property else None
    limits = Limits(max_states=args.max_states or None, timeout=args.timeout)
    results = [_check_one(path, strategy, properties, limits, args.format, terminal) for path, strategy in strategies]
    if args.format == "json":
        terminal.out.file.write(render_json(results))
    return exit_code(results)


def _check_one(path, strategy, properties, limits, fmt, terminal: Terminal) -> CheckResult:
    system = System(strategy)
    text = fmt == "text"
    if text:
        terminal.out.print(_header(path, strategy))
    live = Live(Text("starting..."), console=terminal.out, transient=True, refresh_per_second=4) \
        if text and terminal.out.is_terminal else None
    on_violation = (lambda found: terminal.out.print(violation(found, terminal.plain))) if text else None
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


def _header(path: str, strategy: ir.Strategy) -> Text:
    text = Text()
    text.append(f"{strategy.name}", style="bold")
    text.append(f" ({path}): model {strategy.model.name}, {strategy.bounds.describe()}")
    return text


def _progress_text(p: Progress) -> Text:
    rate = p.states / p.seconds if p.seconds else 0
    return Text(f"  {p.states:,} states, {rate:,.0f} states/s, BFS level {p.level}, queue {p.queue:,}, "
                f"{p.seconds:.1f} s", style="dim")
