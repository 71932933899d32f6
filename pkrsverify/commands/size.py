"""`pkrsverify size FILE...`: how many entries each stack of a spec can actually need.

For every `task stack N` / `cpu stack N`: the entries the model needs, a
shortest path that pushes the last of them, and, when N is too small, the
shortest path that overflows it ("x86_64 needs 8; stack7 overflows after
syscall, page_fault, irq, irq, page_fault, nmi, page_fault, mce"). The
engines answer it as no_overflow at other sizes (analyses/sizing.py). A
stack too small is a violation (exit 1), a size not established a limit
(exit 3).
"""
from __future__ import annotations

import argparse

from rich.live import Live
from rich.text import Text

from ..analyses.sizing import Limits, disagreements, size
from ..front.diagnostics import Code, Diagnostic, InputError
from ..outcome import ExitCode, Outcome
from ..report.render import Sized
from ..report.sizing import lines
from ..symbolic.engine import MAX_STEPS
from . import COMMANDS
from .common import UNBOUNDED, Terminal, add_bound_arguments, load_each, positive, seconds
from .output import add_report_arguments, check_paths, emit, timings

HELP = COMMANDS["size"]
DEFAULT_MAX_STATES = 5_000_000  # per question: as `check`


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="strategy spec(s)")
    add_bound_arguments(parser, unbounded_depth=True)
    parser.add_argument("--engine", choices=("explicit", "z3", "both"), default="explicit",
                        help="explicit (default): every reachable state at each size asked; z3: proofs and BMC "
                             f"(with --depth unbounded: for every nesting depth); both: compare them (a "
                             f"disagreement is a bug: exit {int(ExitCode.DISAGREE)})")
    add_report_arguments(parser, graph=False)
    parser.add_argument("--max-states", type=positive, default=DEFAULT_MAX_STATES, metavar="N",
                        help=f"explicit: stop one question after N states (default {DEFAULT_MAX_STATES:,})")
    parser.add_argument("--max-steps", type=positive, default=MAX_STEPS, metavar="N",
                        help=f"z3: unroll BMC at most N events (default {MAX_STEPS})")
    parser.add_argument("--timeout", type=seconds, metavar="SECONDS", help="stop a spec's sizing after this long")
    parser.add_argument("--plain", action="store_true", help="plain text: no colour, at most 72 columns")


def run(args, terminal: Terminal) -> Outcome:
    check_paths(args)
    strategies, unloaded = load_each(args.files, args, terminal)
    unbounded = args.depth == UNBOUNDED
    if unbounded and args.engine != "z3":
        raise InputError([Diagnostic(Code.BAD_OPTION, "--depth unbounded needs --engine z3: only a proof covers "
                                     "every depth", None)])
    engines = ("explicit", "z3") if args.engine == "both" else (args.engine,)
    limits = Limits(max_states=args.max_states, timeout=args.timeout, max_steps=args.max_steps)
    shown = args.format == "text" or args.output is not None
    sizings, disagree = [], False
    for path, strategy in strategies:
        pair = [_size_one(terminal, strategy, path, engine, unbounded, limits) for engine in engines]
        if shown:
            for sizing in pair:
                terminal.out.file.write("\n".join(lines(sizing, timings=timings(args))) + "\n")
        if len(pair) == 2:
            for problem in disagreements(*pair):
                disagree = True
                terminal.err.print(Text(f"pkrsverify: INTERNAL ERROR: the engines disagree on {path}: {problem}",
                                        style="bold red"))
        sizings += pair
    emit(args, terminal, Sized(tuple(sizings), tuple(unloaded)))
    needs = [need for sizing in sizings for need in sizing.stacks]
    return Outcome(violated=any(n.enough is False for n in needs), undecided=any(n.enough is None for n in needs),
                   disagree=disagree, input_error=bool(unloaded))


def _size_one(terminal: Terminal, strategy, path: str, engine: str, unbounded: bool, limits: Limits):
    live = Live(Text("sizing..."), console=terminal.out, transient=True, refresh_per_second=4) \
        if terminal.out.is_terminal else None
    if live:
        live.start()
    try:
        progress = (lambda text: live.update(Text(f"  {text}", style="dim"))) if live else None
        return size(strategy, path, engine, unbounded, limits, on_progress=progress)
    finally:
        if live:
            live.stop()
