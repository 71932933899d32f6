"""`pkrsverify synthesize SKETCH...`: every correct completion of a sketch, and the cheapest of them."""
from __future__ import annotations

import argparse
from pathlib import Path

from rich.text import Text

from ..analyses.synthesis import synthesize
from ..front.diagnostics import Code, Diagnostic, InputError
from ..front.holes import tidy
from ..front.loader import read_source, with_bounds
from ..outcome import Outcome
from ..report import synthesis as synthesis_report
from . import COMMANDS
from .check import DEFAULT_MAX_STATES, mutant_limits
from .common import Terminal, add_bound_arguments, add_search_report_arguments, emit_document

HELP = COMMANDS["synthesize"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="SKETCH", help="sketch(es): specs with `choose` holes "
                        "(docs/language.md section 9)")
    add_bound_arguments(parser)
    parser.add_argument("--no-proof", action="store_true",
                        help="verify the front with the explicit engine only, not with a Z3 proof as well")
    parser.add_argument("--write-front", metavar="DIR", help="write each design on the front to DIR as a spec")
    add_search_report_arguments(parser, "completion", DEFAULT_MAX_STATES, "Synthesis")


def run(args, terminal: Terminal) -> Outcome:
    if args.write_front and not Path(args.write_front).is_dir():
        raise InputError([Diagnostic(Code.BAD_OPTION, f"--write-front {args.write_front}: no such folder", None)])
    limits = mutant_limits(args)

    def judged(strategy):
        return with_bounds(strategy, tasks=args.tasks, kthreads=args.kthreads, cpus=args.cpus, depth=args.depth)

    runs, outcome = [], Outcome()
    for path in args.files:
        found = synthesize(read_source(path), judged, limits, prove=not args.no_proof)
        if found.invalid and found.invalid == len(found.candidates):
            first = found.candidates[0]
            if first.verdict.diagnostic is not None and first.verdict.diagnostic.code is Code.BAD_OPTION:
                raise InputError([first.verdict.diagnostic])  # the command line's bounds, not the sketch
            raise InputError([Diagnostic(Code.SKETCH, f"{path}: no completion is a valid spec; the first "
                                         f"({first.completion.says()}): {first.verdict.error}", None)])
        runs.append(found)
        if args.format == "text":
            terminal.out.print(Text(synthesis_report.render_text([found], not args.no_timings)), soft_wrap=True)
        if args.write_front:
            _write_front(found, Path(args.write_front))
        # 0: a correct completion; 1: none (every one decided); 3: a completion undecided; 4: the engines
        # disagree on a design of the front
        outcome |= Outcome(violated=not found.correct and not found.undecided, undecided=found.undecided > 0,
                           disagree=found.disagree)
    emit_document(args, terminal, runs, synthesis_report.render_text, synthesis_report.render_json)
    return outcome


def _write_front(found, folder: Path) -> None:
    for number, (i, _) in enumerate(found.front, 1):
        candidate = found.candidates[i]
        head = f"# A completion of {found.sketch}: {candidate.completion.says()}\n"
        (folder / f"{Path(found.sketch).stem}.{number}.spec").write_text(head + tidy(candidate.completion.text.text),
                                                                       encoding="utf-8")
