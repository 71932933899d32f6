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

import ctypes
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Callable

from ..front import ir
from ..result import CheckResult, PropertyResult, Scope, Statistics, StopReason, Verdict
from ..semantics.system import System, replay
from .bmc import bmc
from .encoding import Encoding
from .induction import prove
from .parameterized import describe, describe_size, instances, prove_for_every, size
from .spacer import spacer

SPACER = "Spacer (PDR on Horn clauses)"


MAX_STEPS = 30          # BMC unrolls at most this many events by default
SHALLOW = 12            # ... and this many before Spacer gets its turn
SPACER_TIMEOUT = 20.0   # seconds per property by default (within the whole check's time limit)
# Without --timeout a check on Z3 still stops, at this many seconds, with UNKNOWN for what is open: an
# unsat BMC query grows about fivefold with each event on a spec Houdini cannot prove, so "until the
# step limit" can mean hours. The result says which limit it was.
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Limits:
    timeout: float | None = None        # seconds for the whole check
    max_steps: int = MAX_STEPS
    spacer: bool = True                 # fall back to Spacer for what Houdini does not prove
    spacer_timeout: float = SPACER_TIMEOUT  # at most, per property (within `timeout`)
    explain: bool = True                # cut each proof down to the facts it needs (readable, costs time)
    certificate: bool = False           # write the Houdini proofs' obligations as SMT-LIB 2 (certificate.py)


def check(system: System, spec: str = "", properties: tuple[ir.Property, ...] | None = None,
          limits: Limits = Limits(), unbounded_depth: bool = False,
          on_violation: Callable[[PropertyResult], None] | None = None,
          for_every: frozenset[str] = frozenset()) -> CheckResult:
    """`for_every`: of "tasks", "kthreads", "cpus", the bounds a proof must cover every value of
    (parameterized.py); a violation is still looked for at the system's own bounds."""
    started = time.perf_counter()
    deadline = None if limits.timeout is None else started + limits.timeout
    wanted = tuple(properties or system.strategy.properties)
    if unbounded_depth:
        # A path of k events nests at most k deep: replay it on a system that allows that.
        system = System(system.strategy, replace(system.bounds, depth=max(system.bounds.depth, limits.max_steps)))
    _ctrl_c_in_z3_destructors()
    with _interrupts():  # Ctrl-C before any verdict: an interrupt, for the command to report
        run = _Run(system, wanted, limits, unbounded_depth, deadline, on_violation, for_every)
    try:
        with _interrupts():
            run.phases()
    except KeyboardInterrupt:  # Ctrl-C: what was found so far, and say so
        run.stopped = "interrupted"
    return run.result(spec, started)


def proofs(system: System, properties: tuple[ir.Property, ...], for_every: frozenset[str],
           limits: Limits = Limits()) -> tuple[PropertyResult, ...]:
    """What Houdini proves and nothing else: the PROVED results, for every value of the `for_every`
    bounds at the system's others (the check's first phase; no violation is sought, no Spacer runs).
    A proof that does not finish within `limits.timeout` proves nothing; Ctrl-C is a KeyboardInterrupt."""
    deadline = None if limits.timeout is None else time.perf_counter() + limits.timeout
    _ctrl_c_in_z3_destructors()
    with _interrupts():
        run = _Run(system, tuple(properties), limits, False, deadline, None, for_every)
        run.houdini(system.bounds)
    return tuple(run.verdicts[p] for p in properties if p in run.verdicts)


@contextmanager
def _interrupts():
    """Ctrl-C while ctypes converts a Z3 call's argument arrives as a ctypes.ArgumentError: make it the
    KeyboardInterrupt it was."""
    try:
        yield
    except ctypes.ArgumentError as error:
        if not _is_ctrl_c(error):
            raise
        raise KeyboardInterrupt from error


def _is_ctrl_c(error: BaseException | None) -> bool:
    """Ctrl-C as Python raised it, or as ctypes wrapped it while converting a Z3 call's argument."""
    return isinstance(error, KeyboardInterrupt) or (isinstance(error, ctypes.ArgumentError)
                                                    and "KeyboardInterrupt" in str(error))


def _ctrl_c_in_z3_destructors() -> None:
    """Ctrl-C and Z3's destructors. A Python exception raised in a `__del__` cannot propagate: it is
    printed as "Exception ignored in ..." with a traceback, and dropped. Two cases reach us:

    - Ctrl-C inside a Z3 term's constructor leaves an object without `ctx`; when it is collected
      (perhaps only at exit) its `__del__` raises AttributeError. Dropped quietly: the interrupt
      itself was delivered where it landed.
    - Ctrl-C inside a term's `__del__` (Z3_dec_ref; bare, or wrapped by ctypes as it converted an
      argument) is the interrupt itself: dropped, the check went on to its time limit (a 60 s run
      ended "time limit reached"). It is raised again in the main thread, where the engine's own
      handling of Ctrl-C sees it.

    Anything else goes to the hook that was there."""
    previous = sys.unraisablehook
    if getattr(previous, "pkrsverify_z3", False):
        return

    def hook(unraisable) -> None:
        where = unraisable.object
        if getattr(where, "__name__", "") == "__del__" and getattr(where, "__module__", "").startswith("z3"):
            if unraisable.exc_type is AttributeError:
                return
            if _is_ctrl_c(unraisable.exc_value):
                _press_ctrl_c_again()
                return
        previous(unraisable)

    hook.pkrsverify_z3 = True
    sys.unraisablehook = hook


def _press_ctrl_c_again() -> None:
    """SIGINT to the main thread in a moment, from a thread of its own: raised now, it would land in
    this hook and be dropped again. A real signal, not a simulated one, so that Z3's handler sees it
    if a query is running by then, and Python's otherwise."""
    main = threading.main_thread().ident
    threading.Timer(0.01, signal.pthread_kill, (main, signal.SIGINT)).start()


class _Run:
    """One check on Z3: Houdini, shallow BMC, Spacer, BMC to the step limit (mutable inside `check`)."""

    def __init__(self, system, wanted, limits: Limits, unbounded_depth: bool, deadline, on_violation,
                 for_every: frozenset[str] = frozenset()):
        self.system, self.wanted, self.limits, self.deadline = system, wanted, limits, deadline
        self.unbounded = unbounded_depth
        self.for_every = for_every
        self.proof_scope = Scope(frozenset(for_every | ({"depth"} if unbounded_depth else set())))
        self.not_inductive: tuple = ()   # parameterized: the facts some instance dropped
        self.on_violation = on_violation
        self.encoding = Encoding(system, unbounded_depth=unbounded_depth)
        self.inductive = Encoding(system, unbounded_depth=unbounded_depth, prefix_counts=True)
        self.scope = self.proof_scope.words() if self.proof_scope.every else f"at {system.bounds.describe()}"
        self.verdicts: dict[ir.Property, PropertyResult] = {}
        self.open_notes: dict[ir.Property, str] = {}  # why a property is still open (Spacer, for_every)
        self.induction = None
        self.refuted = 0
        self.stopped = ""       # "", "timeout", "step limit" or "interrupted"

    def open(self) -> list[ir.Property]:
        return [p for p in self.wanted if p not in self.verdicts]

    def found(self, prop, counterexample) -> None:
        self.verdicts[prop] = PropertyResult(prop, Verdict.VIOLATED, counterexample)
        if self.on_violation:
            self.on_violation(self.verdicts[prop])

    def phases(self) -> None:
        limits = self.limits
        strategy, bounds = self.system.strategy, self.system.strategy.bounds if self.unbounded else self.system.bounds
        title = (f"strategy {strategy.name}, model {strategy.model.name}, "
                 + (f"{self.proof_scope.words()}" if self.for_every else bounds.describe()
                    + (", every nesting depth" if self.unbounded else "")))
        self.houdini(bounds, title if limits.certificate else None)
        # Shallow BMC first (the seed bugs are short), then Spacer on what is left, then BMC on
        # to the step limit for what Spacer did not prove (the same unrolling, resumed).
        outcome = bmc(self.encoding, self.open(), min(SHALLOW, limits.max_steps), self.deadline, self.found)
        self.refuted, self.stopped = outcome.refuted, outcome.stopped or self.stopped
        if limits.spacer and self.stopped != "timeout" and not self.for_every:
            self.spacer()  # (it proves at the system's bounds only: no help for every number of tasks)
        if self.open() and self.stopped != "timeout":
            outcome = bmc(self.encoding, self.open(), limits.max_steps, self.deadline, self.found,
                          resume=outcome.unrolling)
            self.refuted, self.stopped = outcome.refuted, outcome.stopped
        if self.for_every and self.open() and self.stopped != "timeout":
            self.why_not_for_every()

    def houdini(self, bounds: ir.Bounds, certify: str | None = None) -> None:
        """The proofs: Houdini's invariant on the system's bounds, or on every instance for `for_every`."""
        if self.for_every:
            self.induction, self.not_inductive = prove_for_every(
                self.system.strategy, bounds, self.proof_scope, self.wanted, self.deadline, self.limits.explain,
                certify)
        else:
            self.induction = prove(self.inductive, self.wanted, self.deadline, self.limits.explain, certify=certify)
        for prop, proof in self.induction.proofs.items():
            self.verdicts[prop] = PropertyResult(prop, Verdict.PROVED, note=f"{proof.method}, {self.scope}",
                                                 invariant=proof.invariant, scope=self.proof_scope)
        self.stopped = self.induction.stopped

    def why_not_for_every(self) -> None:
        """For what is neither proved for every number of tasks and CPUs nor violated at the system's own
        bounds, say why: a proof at the own bounds and the facts it needs that some instance dropped, or a
        violation on a bigger instance (BMC, smallest instance first)."""
        bounded = prove(self.inductive, self.open(), self.deadline, explain=True)
        dropped = {note.text: note for note in self.not_inductive}
        at = "for every nesting depth " if self.unbounded else ""
        for prop, proof in bounded.proofs.items():
            lacking = [dropped[text] for text in dropped if any(line.startswith(text) for line in proof.invariant)]
            why = "; ".join(describe(note) for note in lacking[:2]) or "its invariant needs facts no instance kept"
            self.open_notes[prop] = f"proved {at}at {self.own_bounds()} only; for every number it needs more: {why}"
        own = self.system.strategy.bounds
        bigger = [b for b in instances(self.system.strategy, own, self.proof_scope)
                  if b.tasks > own.tasks or b.kthreads > own.kthreads or b.cpus > own.cpus]
        open_ = self.open()
        for machine in bigger:
            if not open_ or self.deadline is not None and time.perf_counter() > self.deadline:
                break
            machined = System(self.system.strategy, replace(machine, depth=self.system.bounds.depth))
            found = bmc(Encoding(machined), open_, min(SHALLOW, self.limits.max_steps), self.deadline).found
            for prop, counterexample in found.items():
                seen = self.open_notes.get(prop)
                depth = "--engine z3 --depth unbounded " if self.unbounded else ""
                self.open_notes[prop] = ((f"{seen}; " if seen else "") + f"violated with {describe_size(machine)} in "
                                         f"{counterexample.length} events (`pkrsverify check {depth}--tasks "
                                         f"{machine.tasks} --kthreads {machine.kthreads} --cpus {machine.cpus}` shows it)")
            open_ = [p for p in open_ if p not in found]

    def own_bounds(self) -> str:
        """The check's own bounds, as far as a proof at them speaks of them."""
        return size(self.system.strategy.bounds if self.unbounded else self.system.bounds, self.unbounded)

    def spacer(self) -> None:
        for prop in self.open():
            remaining = self.limits.spacer_timeout if self.deadline is None else \
                min(self.limits.spacer_timeout, self.deadline - time.perf_counter())
            if remaining <= 0:
                self.stopped = "timeout"
                return
            # Houdini's invariant holds in every reachable state: Spacer may build on it.
            answer = spacer(self.inductive, prop, strengthen=self.induction.facts, timeout=remaining)
            if answer:
                self.verdicts[prop] = PropertyResult(prop, Verdict.PROVED, note=f"{SPACER}, {self.scope}")
            else:
                self.open_notes[prop] = ("Spacer: a violation is reachable, longer than the step limit"
                                           if answer is False else "Spacer gave up or ran out of time")

    def result(self, spec: str, started: float) -> CheckResult:
        why = {"timeout": "time limit", "interrupted": "interrupted"}.get(self.stopped, "step limit")
        induction = self.induction
        results = []
        for prop in self.wanted:
            if prop in self.verdicts:
                results.append(self.verdicts[prop])
                continue
            details = [f"Houdini kept {induction.kept} of {induction.candidates} candidate facts, not enough"
                       if induction else "Houdini did not finish"]
            if self.for_every:
                details.append(self.open_notes.get(prop, f"no Houdini proof at {self.own_bounds()} either"))
            else:
                details.append(self.open_notes.get(prop, "Spacer not run" if not self.limits.spacer
                                                     else "Spacer not reached"))
            results.append(PropertyResult(prop, Verdict.UNKNOWN, note=f"{why}: no violation within {self.refuted} "
                                          f"events; no proof ({'; '.join(details)})"))
        results = tuple(results)
        if self.stopped == "interrupted" and any(r.verdict is Verdict.UNKNOWN for r in results):
            stop = StopReason.INTERRUPTED
        elif all(r.verdict is Verdict.VIOLATED for r in results):
            stop = StopReason.ALL_VIOLATED
        elif all(r.verdict is not Verdict.UNKNOWN for r in results):
            stop = StopReason.COMPLETE
        else:
            stop = StopReason.TIMEOUT if self.stopped == "timeout" else StopReason.STEP_LIMIT
        system = self.system
        nesting = max((_deepest(system, r.counterexample.events) for r in results if r.counterexample), default=0)
        stats = Statistics(0, 0, self.refuted, nesting, time.perf_counter() - started)
        strategy = system.strategy
        bounds = strategy.bounds if self.unbounded else system.bounds
        return CheckResult(spec, strategy.name, strategy.model.name, bounds, "z3", results, stats, stop,
                           certificate=induction.certificate if induction else None)


def _deepest(system: System, events) -> int:
    """The deepest nesting along a path."""
    return max(system.nesting(r.step.state or r.before) for r in replay(system, events))


__all__ = ["check", "proofs", "Limits", "MAX_STEPS", "SPACER_TIMEOUT"]
