"""`pkrsverify compare FILE...`: designs side by side, with their review figures."""
from __future__ import annotations

import argparse

from rich.text import Text

from ..explain.trace import explain
from ..explicit.engine import Limits, check
from ..front.diagnostics import Code, Diagnostic, InputError
from ..symbolic import engine as symbolic
from ..outcome import Outcome, of_results
from ..report.comparison import render_plain_comparison, render_rich_comparison, shown_traces
from ..report.render import Compared, render
from ..semantics.system import System
from . import COMMANDS
from .common import UNBOUNDED, Terminal, add_bound_arguments, asks_for_proof, for_every, load_each, positive, seconds
from .output import (add_report_arguments, check_paths, repository_root, timings, with_reviews, with_sources, write,
                     write_pictures)

HELP = COMMANDS["compare"]
# Enough for every counterexample of the thread's designs at the default
# bounds (the longest, stack7's overflow, has 8 events) in a few seconds a
# spec; a design that holds then shows `ok<=n`, not a proof: raise the limit
# or lower the bounds for one.
DEFAULT_MAX_STATES = 200_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="strategy specs, one per design")
    add_bound_arguments(parser, unbounded_depth=True, any_count=True)
    parser.add_argument("--engine", choices=("explicit", "z3"), default="explicit",
                        help="explicit: a complete search within the bounds (ok); z3: proofs (proved, with "
                             "--depth unbounded for every depth, with --tasks any --cpus any for every number of "
                             "tasks and CPUs) and BMC")
    parser.add_argument("--max-states", type=positive, default=DEFAULT_MAX_STATES, metavar="N",
                        help=f"stop a spec's search after N states (default {DEFAULT_MAX_STATES:,})")
    parser.add_argument("--timeout", type=seconds, metavar="SECONDS", help="stop a spec's search after this long")
    parser.add_argument("--model", action="append", metavar="MODEL",
                        help="check every spec under this model instead of its own (a name such as x86_64_fred, or a "
                             ".model file); repeat it to put one design side by side under several models")
    parser.add_argument("--all-traces", action="store_true",
                        help="every counterexample of every design, not only each one's shortest")
    add_report_arguments(parser, graph=False, picture=True)
    parser.add_argument("--plain", action="store_true", help="plain text: no colour, at most 72 columns (for mail)")


def run(args, terminal: Terminal) -> Outcome:
    check_paths(args)
    _needs_z3(args)
    strategies, unloaded = load_each(args.files, args, terminal)
    limits = Limits(max_states=args.max_states, timeout=args.timeout)
    results = []
    for path, strategy in strategies:
        if terminal.out.is_terminal:
            terminal.err.print(Text(f"checking {strategy.name} ({path})...", style="dim"))
        if args.engine == "z3":
            z3_limits = symbolic.Limits(timeout=args.timeout or symbolic.DEFAULT_TIMEOUT, explain=False)
            result = symbolic.check(System(strategy), spec=path, limits=z3_limits,
                                    unbounded_depth=args.depth == UNBOUNDED, for_every=for_every(args))
        else:
            result = check(System(strategy), spec=path, limits=limits)
        results.append(explain(strategy, result))
        if results[-1].interrupted:
            break  # Ctrl-C: compare what was reached
    results = with_reviews(results, strategies[:len(results)])
    document = with_sources(args, Compared(tuple(results), args.all_traces, tuple(unloaded)))
    text = render(args.format, document, timings=timings(args), root=repository_root())
    if args.output is not None:
        write(args.output, text)
    write_pictures(args, terminal, [(r, shown_traces(r, args.all_traces)) for r in results])
    if args.output is not None or args.format == "text":
        if terminal.plain:
            terminal.out.file.write(render_plain_comparison(results, all_traces=args.all_traces))
        else:
            terminal.out.print(render_rich_comparison(results, all_traces=args.all_traces))
    else:
        terminal.out.file.write(text)
    return of_results(results) | Outcome(input_error=bool(unloaded))


def _needs_z3(args) -> None:
    """--depth unbounded and `any` ask for proofs: the explicit engine gives none."""
    asked = asks_for_proof(args)
    if asked and args.engine != "z3":
        raise InputError([Diagnostic(Code.BAD_OPTION, f"{asked} needs --engine z3: only a proof covers "
                                     "every value", None)])
