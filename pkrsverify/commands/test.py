"""`pkrsverify test [PATHS]`: every spec against its own `expect` lines.

As herd7's litmus tests carry their Result line, a spec carries what a
design is known to do (`expect no_lost violated length 6`, `expect holds`),
and a directory of specs is a regression suite. Exit codes: 0 every
expectation met, 1 one contradicted (a mismatch), 3 none contradicted but
some could not be decided within the bounds and limits given (UNDECIDED:
neither a pass nor a mismatch; judge.py says when a run decides one), 2 bad
input or nothing to test.

`--changed` takes the PATHS as the files a commit touches, the way
pre-commit passes them (.pre-commit-hooks.yaml): a `.model` stands for
every spec under its directory (or, for `models/x.model`, under the
directory above) that uses it, other files are ignored, and a commit with
nothing to test passes.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..analyses.judge import Outcome as Judged
from ..analyses.judge import SpecOutcome, judge
from ..explain.trace import explain
from ..explicit.engine import Limits, check
from ..front.diagnostics import Code, Diagnostic, InputError
from ..front.loader import load_strategy

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
    parser.add_argument("--changed", action="store_true",
                        help="PATHS are the files a commit changed (as pre-commit passes them): test the specs "
                             "among them and every spec that uses a model among them; nothing to test passes")


def run(args, terminal: Terminal) -> Outcome:
    if args.changed:
        paths = changed_specs(args.paths)
        if not paths:
            terminal.out.file.write("pkrsverify test: no spec or model among the changed files\n")
            return Outcome()
    else:
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
    if not any(o.result for o in outcomes) and args.changed and not unloaded:
        terminal.out.file.write("pkrsverify test: none of the changed specs has an `expect` line\n")
        return Outcome()
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


def changed_specs(changed: list[str]) -> list[str]:
    """The specs a commit's changed files call for: each changed spec, and for each changed model the specs
    that use it (found as the loader finds models: beside or above the spec)."""
    out: list[str] = []
    for name in changed:
        path = Path(name)
        if path.suffix == ".spec" and path.is_file():
            out.append(name)
        elif path.suffix == ".model" and path.is_file():
            out += _users_of(path)
    return list(dict.fromkeys(out))


def _users_of(model: Path) -> list[str]:
    """The specs under the model's reach that load it; a spec that fails on an error in this model counts too."""
    top = model.parent.parent if model.parent.name == "models" else model.parent
    target = model.resolve()
    users = []
    for spec in _spec_paths([str(top)]):
        try:
            used = [load_strategy(spec).model.span.source.path]
        except InputError as error:
            used = [d.span.source.path for d in error.diagnostics if d.span is not None]
        if any(not p.startswith("<") and Path(p).resolve() == target for p in used):
            users.append(spec)
    return users
