"""`pkrsverify check FILE...`: verdicts and shortest counterexamples."""
from __future__ import annotations

import argparse
import functools

from rich.live import Live
from rich.text import Text

from pathlib import Path

from ..front import ir
from ..front.loader import read_source
from ..front.parser import parse
from ..analyses.mutations import MAX_STATES, mutate
from ..report import mutations as mutation_report
from ..analyses import prove_first
from ..analyses.agreement import disagreements
from ..front.diagnostics import Code, Diagnostic, InputError
from ..symbolic import engine as symbolic
from ..explain.trace import explain, explain_one
from ..explicit.engine import Limits, Progress, check
from ..explicit.reduce import Reductions
from ..report.plain import invariants
from ..report.text import heading, render_text, violation
from ..result import CheckResult, StopReason
from ..semantics.system import System
from ..outcome import ExitCode, Outcome, of_results
from . import COMMANDS
from .common import (UNBOUNDED, Terminal, add_bound_arguments, asked_of, asks_for_proof, for_every, load_each, positive, property_name,
                     seconds)
from .output import add_report_arguments, check_paths, emit_checked, shows_text, timings

HELP = COMMANDS["check"]
DEFAULT_MAX_STATES = 5_000_000  # about 4 GB of visited states; raise it with --max-states
NEVER = -1  # --prove-after never: the search alone


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="strategy spec(s)")
    add_bound_arguments(parser, unbounded_depth=True, any_count=True)
    parser.add_argument("--engine", choices=("explicit", "z3", "both"), default="explicit",
                        help="explicit: BFS over every reachable state (HOLDS within bounds); z3: proofs "
                             "(Houdini, Spacer) and BMC (PROVED for any number of steps); both: run both and "
                             f"compare (a disagreement is a bug: exit {int(ExitCode.DISAGREE)})")
    parser.add_argument("--max-steps", type=positive, metavar="N",
                        help=f"z3: unroll BMC at most N events (default {symbolic.MAX_STEPS})")
    parser.add_argument("--show-invariant", action="store_true",
                        help="z3: print the invariant each proof rests on, in the spec's names")
    parser.add_argument("--certificate", metavar="FILE.smt2",
                        help="z3: write the proof obligations of each Houdini proof (initiation, consecution of "
                             "every fact, each property from them) as SMT-LIB 2 that `z3 FILE.smt2` rechecks: "
                             "every answer must be unsat")
    parser.add_argument("--property", action="append", type=property_name, metavar="P",
                        help="check only this property (repeatable): fresh, no_lost, no_stale, no_clobber, "
                             "no_overflow, no_underflow; for another register no_lost[CR2], no_corrupt[CR2], ...; "
                             "shadow[STORAGE]")
    add_report_arguments(parser, picture=True)
    parser.add_argument("--max-states", type=positive, default=DEFAULT_MAX_STATES, metavar="N",
                        help=f"stop with UNKNOWN after N states (default {DEFAULT_MAX_STATES:,})")
    parser.add_argument("--timeout", type=seconds, metavar="SECONDS",
                        help="stop with UNKNOWN after this long (z3: default "
                             f"{symbolic.DEFAULT_TIMEOUT:.0f} s; explicit: none, --max-states bounds it)")
    parser.add_argument("--no-reduce", type=_no_reduce, metavar="LIST",
                        help="explicit: switch off exact reductions, a comma list of summaries, symmetry, dead, slices, "
                             "por (or all); verdicts and shortest lengths are the same either way")
    parser.add_argument("--prove-after", type=_prove_after, metavar="N|never",
                        help="explicit: once the search has stored N states with properties undecided "
                             f"(default {prove_first.PROVE_AFTER:,}), let z3 prove what it can for every number "
                             f"of tasks and CPUs (at most {prove_first.PROOF_TIMEOUT:.0f} s) and search on only "
                             "for the others' violations; the same verdicts and shortest lengths, much sooner on "
                             "more tasks; never: the search alone")
    parser.add_argument("--prove-first", action="store_const", const=0, dest="prove_after",
                        help="explicit: the proofs before any search (--prove-after 0)")
    parser.add_argument("--strict", action="store_true",
                        help="a verdict that holds only vacuously (an entry kind never entered, a handler never "
                             "run, a property never checked) fails the run: exit 1")
    parser.add_argument("--plain", action="store_true", help="plain text: no colour, at most 72 columns (for mail)")
    parser.add_argument("--mutations", action="store_true",
                        help="after the check, delete and change each statement and storage place in turn and "
                             "check every mutant: which lines carry the design, and which are not needed "
                             "(explicit engine; --format text or json)")


def run(args, terminal: Terminal) -> Outcome:
    check_paths(args)
    strategies, unloaded = load_each(args.files, args, terminal)  # a bad spec is reported, the others checked
    limits = Limits(max_states=args.max_states, timeout=args.timeout)
    shown = "text" if shows_text(args) else args.format
    engines = _engines(args)
    results, reported, disagree = [], [], False
    for path, strategy in strategies:
        properties = asked_of(strategy, args.property, path)
        pair = []
        for engine in engines:
            pair.append(_check_one(path, strategy, properties, limits, shown, terminal, timings(args), engine, args))
            if pair[-1].interrupted:
                break
        results += pair
        reported += [(path, strategy)] * len(pair)
        if any(r.interrupted for r in pair):
            break  # Ctrl-C: report what was reached, check nothing more
        if len(pair) == 2:
            disagree |= _compare(path, *pair, terminal, shown == "text")
    if args.certificate:
        _write_certificates(args.certificate, results, reported, terminal)
    if args.mutations:
        _mutations(args, terminal, results, reported, limits)
    else:
        emit_checked(args, terminal, results, reported, unloaded)
    return of_results(results, strict=args.strict) | Outcome(disagree=disagree, input_error=bool(unloaded))


def _write_certificates(target: str, results, reported, terminal: Terminal) -> None:
    """Every Houdini proof's obligations in one SMT-LIB file, spec after spec (each block ends in `(reset)`)."""
    blocks, missing = [], []
    for result, (path, _) in zip(results, reported):
        if result.engine != "z3":
            continue
        if result.certificate is None:
            missing.append(path)
        else:
            blocks.append(f"; ==== {path}\n{result.certificate}(reset)\n")
    Path(target).write_text("\n".join(blocks), encoding="utf-8")
    for path in missing:
        terminal.err.file.write(f"pkrsverify: {path}: no Houdini proof, so nothing in {target} for it (a property "
                                "proved by Spacer alone has no certificate)\n")


def _check_one(path, strategy, properties, limits, fmt, terminal: Terminal, timed: bool = True,
               engine: str = "explicit", args=None) -> CheckResult:
    system = System(strategy)
    text = fmt == "text"
    if text:
        terminal.out.print(_header(path, strategy, terminal.plain, engine, args))
    live = Live(Text("starting..."), console=terminal.out, transient=True, refresh_per_second=4) \
        if text and terminal.out.is_terminal else None
    bounds = system.bounds

    def on_violation(found):
        terminal.out.print(violation(explain_one(strategy, bounds, found), terminal.plain))
    try:
        if live:
            live.start()
        if engine == "z3":
            if live:
                live.update(Text("  z3: Houdini, BMC, Spacer...", style="dim"))
            result = symbolic.check(system, spec=path, properties=properties, limits=_z3_limits(args),
                                    unbounded_depth=args.depth == UNBOUNDED, on_violation=on_violation if text else None,
                                    for_every=for_every(args))
        else:
            after = prove_after(args)
            search = check if after is None else functools.partial(prove_first.check, after=after)
            if live and after == 0:
                live.update(Text("  z3: Houdini, for every number of tasks and CPUs...", style="dim"))
            result = search(system, spec=path, properties=properties, limits=limits,
                            on_violation=on_violation if text else None,
                            on_progress=(lambda p: live.update(_progress_text(p))) if live else None,
                            reductions=args.no_reduce if args is not None and args.no_reduce else Reductions())
    finally:
        if live:
            live.stop()
    result = explain(strategy, result)
    if engine == "explicit" and result.unknown and not prove_first.sought(result) \
            and result.stop in (StopReason.STATE_LIMIT, StopReason.TIMEOUT):
        terminal.err.file.write(f"pkrsverify: {path}: the search stopped before every state; --prove-first lets z3 "
                                "prove what holds for every number of tasks and CPUs first, so that the search "
                                "only has to find the violations\n")
    if text:
        terminal.out.print(render_text(result, terminal.plain, streamed=True, timings=timed).renderables[-1])
        if args is not None and args.show_invariant:
            terminal.out.print(Text(invariants(result)))
        terminal.out.print()
    return result


def _mutations(args, terminal: Terminal, results, reported, limits: Limits) -> None:
    """`--mutations`: each spec's mutants checked at the spec's bounds (analyses/mutations.py)."""
    runs = []
    for result, (path, strategy) in zip(results, reported):
        if result.interrupted:
            break
        source = read_source(path)
        runs.append(mutate(source, parse(source), strategy, result, mutant_limits(args)))
        if shows_text(args):
            terminal.out.print(Text(mutation_report.render_text(runs[-1:], timings(args))), soft_wrap=True)
    if args.format == "json":
        text = mutation_report.render_json(runs, timings(args))
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            terminal.out.file.write(text)


def mutant_limits(args) -> Limits:
    """Each mutant's (or candidate repair's) search: --max-states when given, else MAX_STATES."""
    given = args.max_states if args.max_states != DEFAULT_MAX_STATES else MAX_STATES
    return Limits(max_states=given, timeout=args.timeout)


def prove_after(args) -> int | None:
    """The stored states after which the search hands what it has not decided to z3 first (0: before any
    search), or None: the search alone. The default is off where the search must speak for itself:
    --strict judges its coverage, and --engine both sets it against z3."""
    if args is None or args.engine != "explicit" or args.prove_after == NEVER or \
            (args.prove_after is None and args.strict):
        return None
    return prove_first.PROVE_AFTER if args.prove_after is None else args.prove_after


def _prove_after(text: str) -> int | None:
    if text == "never":
        return NEVER
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of states (0 or more) or never, not {text!r}")
    return value


def _no_reduce(text: str) -> Reductions:
    try:
        return Reductions.without(name.strip() for name in text.split(","))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _engines(args) -> tuple[str, ...]:
    """The engines asked for, once the options make sense for them (an option one engine ignores is an
    error rather than silence)."""
    problems = []
    if asks_for_proof(args) and args.engine != "z3":
        problems.append(f"{asks_for_proof(args)} needs --engine z3: the explicit engine explores one machine of "
                        "a given size and depth, and only a proof covers every size or depth")
    if args.engine == "explicit":
        problems += [f"{option} needs --engine z3 (or both): the explicit engine {why}" for option, given, why in (
            ("--show-invariant", args.show_invariant, "proves nothing, it explores every state"),
            ("--certificate", args.certificate, "proves nothing, it explores every state"),
            ("--max-steps", args.max_steps is not None, "has no step limit; bound it with --max-states"))
            if given]
    proofs = args.prove_after not in (None, NEVER)  # asked for by name
    if proofs and args.engine != "explicit":
        problems.append("--prove-first and --prove-after are for the explicit engine: they hand what z3 proves "
                        "to the search (--engine z3 --tasks any --cpus any asks z3 alone)")
    if proofs and args.strict:
        problems.append("--strict judges what the search covered, and with --prove-first or --prove-after a "
                        "proved property is not searched (a property that holds vacuously is proved all the "
                        "same): leave one out")
    if args.engine == "z3" and args.no_reduce is not None:
        problems.append("--no-reduce is for the explicit engine: z3 has no reductions to switch off")
    if args.mutations and args.engine != "explicit":
        problems.append("--mutations runs the explicit engine on every mutant: leave out --engine")
    if args.mutations and args.format not in ("text", "json"):
        problems.append(f"--mutations reports as text or json, not {args.format}")
    if args.mutations and (args.graph or args.picture):
        problems.append("--mutations draws no graph or picture: check the spec without it for those")
    if problems:
        raise InputError([Diagnostic(Code.BAD_OPTION, problem, None) for problem in problems])
    return ("explicit", "z3") if args.engine == "both" else (args.engine,)


def _z3_limits(args) -> symbolic.Limits:
    timeout = symbolic.DEFAULT_TIMEOUT if args.timeout is None else args.timeout
    spacer = min(timeout, symbolic.SPACER_TIMEOUT)
    steps = symbolic.MAX_STEPS if args.max_steps is None else args.max_steps
    return symbolic.Limits(timeout=timeout, max_steps=steps, spacer_timeout=spacer,
                           certificate=bool(getattr(args, "certificate", None)))


def _compare(path: str, explicit: CheckResult, z3: CheckResult, terminal: Terminal, text: bool = True) -> bool:
    """Say whether the engines agree (on stderr when stdout carries a machine format);
    a disagreement goes to stderr, loudly."""
    found = disagreements(explicit, z3)
    if not found:
        console = terminal.out if text else terminal.err
        console.print(Text(f"{path}: the explicit and z3 engines agree", style="green"))
        if text:
            console.print()
        return False
    terminal.err.print(Text(f"pkrsverify: INTERNAL ERROR: the engines disagree on {path} "
                            f"({explicit.bounds.describe()}); this is a bug in one of them:", style="bold red"))
    for item in found:
        terminal.err.print(Text(f"  {item.describe()}", style="red"))
    return True


def _header(path: str, strategy: ir.Strategy, plain: bool = False, engine: str = "explicit", args=None) -> Text:
    bounds = strategy.bounds.describe()
    if args is not None and args.engine == "both":
        bounds += f", {engine} engine"
    if args is not None and args.depth == UNBOUNDED:
        bounds = bounds.replace(f"depth={strategy.bounds.depth}", "depth=unbounded")
    if args is not None and for_every(args):
        for bound in sorted(for_every(args)):
            bounds = bounds.replace(f"{bound}={getattr(strategy.bounds, bound)}", f"{bound}=any")
        b = strategy.bounds
        bounds += f" (violations sought at tasks={b.tasks} kthreads={b.kthreads} cpus={b.cpus})"
    return heading(strategy.name, path, strategy.model.name, bounds, plain)


def _progress_text(p: Progress) -> Text:
    rate = p.states / p.seconds if p.seconds else 0
    return Text(f"  {p.states:,} states, {rate:,.0f} states/s, BFS level {p.level}, queue {p.queue:,}, "
                f"{p.seconds:.1f} s", style="dim")
