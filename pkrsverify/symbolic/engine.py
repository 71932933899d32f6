"""The Z3 engine: the same system as Z3 terms, checked three ways.

1. Houdini + 1-induction (induction.py): a proof for any number of steps,
   with an invariant a reviewer can read; with `unbounded_depth`, for every
   nesting depth at once.
2. BMC (bmc.py) on what is not proved: the shortest violation, replayed
   through system.py before it is reported.
3. Spacer (spacer.py) on what is still open, while time remains.

It never answers HOLDS: BMC to a bound says nothing about longer paths,
and no completeness threshold is known in general. A property is PROVED,
VIOLATED, or UNKNOWN with how far BMC got and why no proof was found.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable

from ..front import ir
from ..result import CheckResult, PropertyResult, Statistics, StopReason, Verdict
from ..semantics.system import System, replay
from .bmc import bmc
from .encoding import Encoding
from .induction import prove
from .spacer import spacer

SPACER = "Spacer (PDR on Horn clauses)"


MAX_STEPS = 30          # BMC unrolls at most this many events by default
SHALLOW = 12            # ... and this many before Spacer gets its turn
SPACER_TIMEOUT = 60.0   # seconds per property by default


@dataclass(frozen=True, slots=True)
class Limits:
    timeout: float | None = None        # seconds for the whole check
    max_steps: int = MAX_STEPS
    spacer: bool = True                 # fall back to Spacer for what Houdini does not prove
    spacer_timeout: float = SPACER_TIMEOUT  # at most, per property (within `timeout`)
    explain: bool = True                # cut each proof down to the facts it needs (readable, costs time)


def check(system: System, spec: str = "", properties: tuple[ir.Property, ...] | None = None,
          limits: Limits = Limits(), unbounded_depth: bool = False,
          on_violation: Callable[[PropertyResult], None] | None = None) -> CheckResult:
    started = time.perf_counter()
    deadline = None if limits.timeout is None else started + limits.timeout
    wanted = tuple(properties or system.strategy.properties)
    if unbounded_depth:
        # A path of k events nests at most k deep: replay it on a system that allows that
        # (BMC may go on to 10 * max_steps for a violation Spacer says is reachable).
        system = System(system.strategy, replace(system.bounds, depth=max(system.bounds.depth,
                                                                          10 * limits.max_steps)))
    encoding = Encoding(system, unbounded_depth=unbounded_depth)
    inductive = Encoding(system, unbounded_depth=unbounded_depth, prefix_counts=True)
    scope = "for every nesting depth" if unbounded_depth else f"at {system.bounds.describe()}"

    verdicts: dict[ir.Property, PropertyResult] = {}
    induction = prove(inductive, wanted, deadline, limits.explain)
    for prop, proof in induction.proofs.items():
        verdicts[prop] = PropertyResult(prop, Verdict.PROVED, note=f"{proof.method}, {scope}",
                                        invariant=proof.invariant)

    def found(prop, counterexample):
        verdicts[prop] = PropertyResult(prop, Verdict.VIOLATED, counterexample)
        if on_violation:
            on_violation(verdicts[prop])

    # Shallow BMC first (the seed bugs are short), then Spacer on what is left, then BMC on
    # to the step limit for what Spacer did not prove (the same unrolling, resumed).
    open_ = [p for p in wanted if p not in verdicts]
    outcome = bmc(encoding, open_, min(SHALLOW, limits.max_steps), deadline, found)
    stopped = outcome.stopped or induction.stopped
    spacer_notes: dict[ir.Property, str] = {}
    if limits.spacer and stopped != "timeout":
        for prop in [p for p in wanted if p not in verdicts]:
            remaining = limits.spacer_timeout if deadline is None else min(limits.spacer_timeout,
                                                                          deadline - time.perf_counter())
            if remaining <= 0:
                stopped = "timeout"
                break
            # Houdini's invariant holds in every reachable state: Spacer may build on it.
            answer = spacer(inductive, prop, strengthen=induction.facts, timeout=remaining)
            if answer:
                verdicts[prop] = PropertyResult(prop, Verdict.PROVED, note=f"{SPACER}, {scope}")
            else:
                spacer_notes[prop] = ("Spacer: a violation is reachable" if answer is False
                                      else "Spacer gave up or ran out of time")
    open_ = [p for p in wanted if p not in verdicts]
    if open_ and stopped != "timeout":
        reachable = [p for p in open_ if spacer_notes.get(p, "").endswith("reachable")]
        # A violation Spacer says is reachable exists: look past the step limit for it.
        steps = 10 * limits.max_steps if reachable else limits.max_steps
        outcome = bmc(encoding, open_, steps, deadline, found, resume=outcome.unrolling)
        stopped = outcome.stopped
    refuted = outcome.refuted
    results = []
    for prop in wanted:
        if prop in verdicts:
            results.append(verdicts[prop])
            continue
        why = "time limit" if stopped == "timeout" else "step limit"
        details = [f"Houdini kept {induction.kept} of {induction.candidates} candidate facts, not enough"]
        details.append(spacer_notes.get(prop, "Spacer not run" if not limits.spacer else "Spacer not reached"))
        results.append(PropertyResult(prop, Verdict.UNKNOWN, note=f"{why}: no violation within {refuted} events; "
                                      f"no proof ({'; '.join(details)})"))
    results = tuple(results)
    if all(r.verdict is Verdict.VIOLATED for r in results):
        stop = StopReason.ALL_VIOLATED
    elif all(r.verdict is not Verdict.UNKNOWN for r in results):
        stop = StopReason.COMPLETE
    else:
        stop = StopReason.TIMEOUT if stopped == "timeout" else StopReason.STEP_LIMIT
    nesting = max((_deepest(system, r.counterexample.events) for r in results if r.counterexample), default=0)
    stats = Statistics(0, 0, refuted, nesting, time.perf_counter() - started)
    strategy = system.strategy
    bounds = strategy.bounds if unbounded_depth else system.bounds
    return CheckResult(spec, strategy.name, strategy.model.name, bounds, "z3", results, stats, stop)


def _deepest(system: System, events) -> int:
    """The deepest nesting along a path."""
    return max(system.nesting(r.step.state or r.before) for r in replay(system, events))


__all__ = ["check", "Limits", "MAX_STEPS", "SPACER_TIMEOUT"]
