"""`pkrsverify test [PATHS]`: every spec against its own `expect` lines.

As herd7's litmus tests carry their Result line, a spec carries what a
design is known to do (`expect no_lost violated length 6`, `expect holds`),
and a directory of specs is a regression suite. Exit codes: 0 every
expectation met, 1 one contradicted (a mismatch), 3 none contradicted but
some could not be decided within the bounds and limits given (UNDECIDED:
neither a pass nor a mismatch; judge.py says when a run decides one), 2 bad
input or nothing to test.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..analyses.judge import Outcome as Judged
from ..analyses.judge import SpecOutcome, judge
from ..explain.trace import explain
from ..explicit.engine import Limits, check
from ..front.diagnostics import Code, Diagnostic, InputError

from ..outcome import Outcome
from ..report.render import Tested
from ..report.suite import rich_lines, spec_lines, summary
from ..semantics.system import System
from . import COMMANDS
from .common import Terminal, add_bound_arguments, load_each, positive, seconds
from .output import add_report_arguments, check_paths, emit

HELP = COMMANDS["test"]
DEFAULT_MAX_STATES = 5_000_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="specs, or directories searched for *.spec (default: specs/ if there is one, else .)")
    add_bound_arguments(parser)
    parser.add_argument("--max-states", type=positive, default=DEFAULT_MAX_STATES, metavar="N",
                        help=f"stop a spec's search after N states (default {DEFAULT_MAX_STATES:,})")
    parser.add_argument("--timeout", type=seconds, metavar="SECONDS", help="stop a spec's search after this long")
    add_report_arguments(parser, graph=False)
    parser.add_argument("--plain", action="store_true", help="plain text: no colour, at most 72 columns")


def run(args, terminal: Terminal) -> Outcome:
    paths = _spec_paths(args.paths or [_default_path()])
    check_paths(args)
    loaded, unloaded = load_each(paths, args, terminal)
    limits = Limits(max_states=args.max_states, timeout=args.timeout)
    shown = args.format == "text" or args.output is not None
    outcomes = []
    for path, strategy in loaded:
        spec_bounds = strategy.spec_bounds
        if not strategy.expectations:
            outcomes.append(SpecOutcome(path, strategy.name, spec_bounds, None, ()))
        else:
            properties = tuple(dict.fromkeys(e.property for e in strategy.expectations))
            result = explain(strategy, check(System(strategy), spec=path, properties=properties, limits=limits))
            outcomes.append(SpecOutcome(path, strategy.name, spec_bounds, result,
                                        tuple(judge(result, strategy.expectations, spec_bounds))))
        if shown:
            _show(terminal, outcomes[-1])
        if outcomes[-1].result is not None and outcomes[-1].result.interrupted:
            break  # Ctrl-C: judge what was reached
    if not any(o.result for o in outcomes):
        raise InputError([Diagnostic(Code.BAD_OPTION, "nothing to test: no spec under "
                                     f"{', '.join(args.paths or [_default_path()])} has an `expect` line", None)])
    if shown:
        terminal.out.file.write(summary(outcomes, unloaded) + "\n")
    emit(args, terminal, Tested(tuple(outcomes), tuple(unloaded)))
    found = {o.outcome for o in outcomes}
    interrupted = any(o.result is not None and o.result.interrupted for o in outcomes)
    return Outcome(violated=Judged.MISMATCH in found, undecided=Judged.UNDECIDED in found, interrupted=interrupted,
                   input_error=bool(unloaded))


def _show(terminal: Terminal, outcome: SpecOutcome) -> None:
    if terminal.plain:
        terminal.out.file.write("\n".join(spec_lines(outcome)) + "\n")
        terminal.out.file.flush()
        return
    for line in rich_lines(outcome):
        terminal.out.print(line)


def _default_path() -> str:
    return "specs" if Path("specs").is_dir() else "."


def _spec_paths(given: list[str]) -> list[str]:
    out, problems = [], []
    for name in given:
        path = Path(name)
        if path.is_dir():
            out += [str(p) for p in sorted(path.rglob("*.spec"))
                    if not any(part.startswith(".") for part in p.relative_to(path).parts)]
        elif path.is_file():
            out.append(name)
        else:
            problems.append(Diagnostic(Code.UNREADABLE, f"no such file or directory: {name}", None))
    if problems:
        raise InputError(problems)
    return out
