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
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text

from ..front.diagnostics import Code, Diagnostic, InputError
from ..explain.trace import explain
from ..explicit.engine import Limits, check
from ..analyses.judge import Judgement, Outcome, expected, judge
from ..front.loader import load_strategy, with_bounds
from ..report.junit import Case, render_suites
from ..report.plain import unbroken, wrap
from ..result import CheckResult
from ..semantics.system import System
from .common import EXIT_HOLDS, EXIT_LIMIT, EXIT_VIOLATED, Terminal, add_bound_arguments, seconds, whole_number
from .output import check_paths, timings, write

HELP = "check every spec against its `expect` lines (a regression suite)"
DEFAULT_MAX_STATES = 5_000_000
LABEL = {Outcome.MET: "PASS", Outcome.MISMATCH: "FAIL", Outcome.UNDECIDED: "UNDECIDED"}
STYLE = {Outcome.MET: "green", Outcome.MISMATCH: "bold red", Outcome.UNDECIDED: "yellow"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="specs, or directories searched for *.spec (default: specs/ if there is one, else .)")
    add_bound_arguments(parser)
    parser.add_argument("--max-states", type=whole_number, default=DEFAULT_MAX_STATES, metavar="N",
                        help=f"stop a spec's search after N states (default {DEFAULT_MAX_STATES:,})")
    parser.add_argument("--timeout", type=seconds, metavar="SECONDS", help="stop a spec's search after this long")
    parser.add_argument("--format", choices=("text", "junit"), default="text",
                        help="text, or JUnit XML (a testcase per expectation) for CI dashboards")
    parser.add_argument("--output", metavar="FILE", help="write the report in --format to FILE")
    parser.add_argument("--no-timings", action="store_true", help="leave times out of the report")
    parser.add_argument("--plain", action="store_true", help="plain text: no colour, at most 72 columns")


@dataclass(frozen=True, slots=True)
class SpecOutcome:
    path: str
    strategy: str
    spec_bounds: object               # ir.Bounds the expectations speak of
    result: CheckResult | None        # None: the spec has no expectations
    judgements: tuple[Judgement, ...]

    @property
    def outcome(self) -> Outcome | None:
        outcomes = {j.outcome for j in self.judgements}
        for worst in (Outcome.MISMATCH, Outcome.UNDECIDED, Outcome.MET):
            if worst in outcomes:
                return worst
        return None


def run(args, terminal: Terminal) -> int:
    paths = _spec_paths(args.paths or [_default_path()])
    loaded = _load(paths, args)
    check_paths(args)
    limits = Limits(max_states=args.max_states or None, timeout=args.timeout)
    outcomes = []
    for path, spec_bounds, strategy in loaded:
        if not strategy.expectations:
            outcomes.append(SpecOutcome(path, strategy.name, spec_bounds, None, ()))
            if args.format == "text" or args.output:
                _show(terminal, outcomes[-1])
            continue
        properties = tuple(dict.fromkeys(e.property for e in strategy.expectations))
        result = explain(strategy, check(System(strategy), spec=path, properties=properties, limits=limits))
        outcome = SpecOutcome(path, strategy.name, spec_bounds, result,
                              tuple(judge(result, strategy.expectations, spec_bounds)))
        outcomes.append(outcome)
        if args.format == "text" or args.output:
            _show(terminal, outcome)
    if not any(o.result for o in outcomes):
        raise InputError([Diagnostic(Code.BAD_OPTION, "nothing to test: no spec under "
                                     f"{', '.join(args.paths or [_default_path()])} has an `expect` line", None)])
    summary = _summary(outcomes)
    if args.format == "text" or args.output:
        terminal.out.file.write(summary + "\n")
    if args.format == "junit" or args.output:
        report = _junit(outcomes, timings(args)) if args.format == "junit" else _plain_report(outcomes, summary)
        if args.output:
            write(args.output, report)
        else:
            terminal.out.file.write(report)
    found = {o.outcome for o in outcomes}
    if Outcome.MISMATCH in found:
        return EXIT_VIOLATED
    return EXIT_LIMIT if Outcome.UNDECIDED in found else EXIT_HOLDS


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


def _load(paths: list[str], args) -> list:
    """(path, the spec's own bounds, the strategy at the run's bounds); all diagnostics at once."""
    errors, out = [], []
    for path in paths:
        try:
            strategy = load_strategy(path)
            run = with_bounds(strategy, tasks=args.tasks, kthreads=args.kthreads, cpus=args.cpus, depth=args.depth)
            out.append((path, strategy.bounds, run))
        except InputError as error:
            errors.extend(error.diagnostics)
    if errors:
        raise InputError(errors)
    return out


# ---- reports ------------------------------------------------------------------------------

def _lines(outcome: SpecOutcome) -> list[str]:
    """One spec's block: its label, then every expectation not met, wrapped to 72 columns."""
    if outcome.result is None:
        return wrap(f"SKIP       {outcome.path} ({outcome.strategy}): no `expect` lines", "", "           ")
    counts = {o: sum(j.outcome is o for j in outcome.judgements) for o in Outcome}
    said = ", ".join(unbroken(f"{n} {o.value}") for o, n in counts.items() if n)
    if said == unbroken(f"{len(outcome.judgements)} met"):
        said = unbroken(f"{len(outcome.judgements)} expectations met")
    head = f"{LABEL[outcome.outcome]:<10} {outcome.path} {unbroken(f'({outcome.strategy}):')} {said}"
    lines = wrap(head, "", "           ")
    if outcome.result.bounds != outcome.spec_bounds and outcome.outcome is not Outcome.MET:
        lines += wrap(f"run at {outcome.result.bounds.describe()}; the spec's bounds: "
                      f"{outcome.spec_bounds.describe()}", "           ", "             ")
    undecided: dict[str, list[str]] = {}  # said once for every expectation undecided for one reason
    for judgement in outcome.judgements:
        if judgement.outcome is Outcome.MISMATCH:
            lines += wrap(f"{LABEL[judgement.outcome]}: {judgement.describe()}", "           ", "             ")
        elif judgement.outcome is Outcome.UNDECIDED:
            reason = judgement.actual + (f" ({judgement.why})" if judgement.why else "")
            undecided.setdefault(reason, []).append(unbroken(expected(judgement.expectation)))
    for reason, expectations in undecided.items():
        lines += wrap(f"UNDECIDED: {', '.join(expectations)}: {reason}", "           ", "             ")
    return lines


def _show(terminal: Terminal, outcome: SpecOutcome) -> None:
    lines = _lines(outcome)
    if terminal.plain or outcome.outcome is None:
        terminal.out.file.write("\n".join(lines) + "\n")
        terminal.out.file.flush()
        return
    first = Text(lines[0])
    first.stylize(STYLE[outcome.outcome], 0, len(LABEL[outcome.outcome]))
    terminal.out.print(first)
    for line in lines[1:]:
        terminal.out.print(Text(line, style="dim"))


def _summary(outcomes: list[SpecOutcome]) -> str:
    counts = {o: sum(s.outcome is o for s in outcomes) for o in Outcome}
    skipped = sum(s.result is None for s in outcomes)
    text = (f"{counts[Outcome.MET]} passed, {counts[Outcome.MISMATCH]} failed, "
            f"{counts[Outcome.UNDECIDED]} undecided")
    return text + (f", {skipped} without expectations" if skipped else "")


def _plain_report(outcomes: list[SpecOutcome], summary: str) -> str:
    lines = [line for o in outcomes for line in _lines(o)]
    return "\n".join(lines + [summary]) + "\n"


def _junit(outcomes: list[SpecOutcome], timed: bool) -> str:
    suites = []
    for outcome in outcomes:
        if outcome.result is None:
            continue
        cases = []
        for j in outcome.judgements:
            name = expected(j.expectation)
            if j.outcome is Outcome.MET:
                cases.append(Case(name, "passed"))
            elif j.outcome is Outcome.MISMATCH:
                cases.append(Case(name, "failed", j.describe()))
            else:
                cases.append(Case(name, "skipped", j.describe()))
        suites.append((outcome.result, cases))
    return render_suites(suites, timings=timed)
