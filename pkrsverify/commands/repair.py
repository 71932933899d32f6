"""`pkrsverify repair FILE...`: the smallest edits that make every property of a broken spec hold."""
from __future__ import annotations

import argparse

from rich.text import Text

from ..analyses.repair import MAX_EDITS, repair
from ..explain.trace import explain
from ..explicit.engine import check
from ..front.loader import read_source
from ..front.parser import parse
from ..outcome import Outcome, of_results
from ..report import repairs as repair_report
from ..semantics.system import System
from . import COMMANDS
from .check import DEFAULT_MAX_STATES, mutant_limits
from .common import Terminal, add_bound_arguments, add_search_report_arguments, emit_document, load_each, positive

HELP = COMMANDS["repair"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="strategy spec(s)")
    add_bound_arguments(parser)
    parser.add_argument("--max-edits", type=positive, default=MAX_EDITS, metavar="N",
                        help=f"try repairs of up to N edits (default {MAX_EDITS}); the smallest size that repairs wins")
    parser.add_argument("--no-proof", action="store_true",
                        help="verify each repair with the explicit engine only, not with a Z3 proof as well")
    add_search_report_arguments(parser, "candidate", DEFAULT_MAX_STATES, "Repairs",
                                "text (with a unified diff per repair, as `git apply` takes it)")


def run(args, terminal: Terminal) -> Outcome:
    strategies, unloaded = load_each(args.files, args, terminal)
    limits = mutant_limits(args)
    runs, outcome = [], Outcome(input_error=bool(unloaded))
    for path, strategy in strategies:
        source = read_source(path)
        original = explain(strategy, check(System(strategy), spec=path, limits=limits))
        found = repair(source, parse(source), strategy, original, limits, prove=not args.no_proof,
                       max_edits=args.max_edits)
        runs.append(found)
        if args.format == "text":
            terminal.out.print(Text(repair_report.render_text([found], not args.no_timings)), soft_wrap=True)
        # 0: repaired (or nothing to repair); 1: no repair within --max-edits; 3: the original undecided
        outcome |= Outcome(violated=found.size < 0, undecided=of_results([original]).undecided)
    emit_document(args, terminal, runs, repair_report.render_text, repair_report.render_json)
    return outcome
