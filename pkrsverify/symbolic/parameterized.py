"""Proofs for every number of tasks and CPUs: Houdini on every small closed instance.

The candidates of candidates.py are local: a fact about a task reads that
task, the CPU it runs on and the globals; a fact about a CPU reads that CPU,
whether it is idle, and the globals; the encoding's own facts add that a
CPU runs a task or nothing and that two CPUs run different tasks. A step
reads and writes its CPU, the task running there, the task it switches in
and the globals. So if a universally quantified invariant (every fact for
every task of its base and every CPU) fails to be inductive on some machine
of N tasks and C CPUs, the failure is already on the *closed* sub-machine
made of the step's CPU and tasks and the individual the fact is broken for,
with the CPU each of those tasks runs on and the task each of those CPUs
runs: at most 3 tasks on 2 CPUs (docs/semantics.md section 5, "Every
number of tasks and CPUs", has the case split). Removing the rest keeps
the invariant true before the step (every fact is about one individual or
a pair of CPUs) and changes nothing the step reads.

Such a sub-machine has any mix of user tasks and kernel threads up to 3,
and 1 or 2 CPUs. There is no way to pad a smaller one into a bigger one (an
extra task's values would have to satisfy every fact), so every size is an
instance of its own: the invariant is the greatest set of facts inductive
on all of them, found as a fixpoint of Houdini runs, each starting from the
facts the others left. A property proved from it on every instance holds
on every machine, for every number of steps (and with an unbounded depth
encoding, at every nesting depth). Initiation is per individual too: an
initial task runs or is ready, an initial CPU is busy or idle, and the
instances hold every such individual.

Each instance is the bounded encoding of encoding.py at those bounds, so
nothing here is a second statement of the semantics; what is new is only
which bounds are asked, and that a fact is kept only when every instance
keeps it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

from ..front import ir
from ..result import Scope
from ..semantics.events import Event
from ..semantics.layout import IDLE
from ..semantics.system import System
from .candidates import candidates, domain_facts
from .certificate import certificate
from .encoding import Encoding
from .induction import METHOD, Houdini, InductionOutcome, Proof

CUTOFF_TASKS = 3  # a step's task and the one it switches in, and the task a broken fact is about
CUTOFF_CPUS = 2   # the step's CPU, and the CPU of that task (or the CPU a broken fact is about)


@dataclass(frozen=True, slots=True)
class NotInductive:
    """A fact some instance dropped: why the invariant is weaker than at the check's own bounds."""

    text: str
    bounds: ir.Bounds
    event: Event | None   # the step that broke it (None: false in the instance's initial state)


def instances(strategy: ir.Strategy, bounds: ir.Bounds, scope: Scope) -> tuple[ir.Bounds, ...]:
    """Every closed sub-machine a broken fact can be found on (module comment), smallest first: for a
    bound `scope` covers every value of, up to the cutoff; for the others, up to their value."""
    every = scope.every
    def cap(given: int, any_number: bool, base: str | None, cutoff: int) -> int:
        if base is not None and strategy.model.kind(base) is None:
            return 0
        return cutoff if any_number else min(given, cutoff)
    users = cap(bounds.tasks, "tasks" in every, "user", CUTOFF_TASKS)
    kthreads = cap(bounds.kthreads, "kthreads" in every, "kthread", CUTOFF_TASKS)
    cpus = cap(bounds.cpus, "cpus" in every, None, CUTOFF_CPUS)
    out = [replace(bounds, tasks=u, kthreads=k, cpus=c)
           for c in range(1, cpus + 1) for u in range(users + 1) for k in range(kthreads + 1)
           if 1 <= u + k <= CUTOFF_TASKS]
    return tuple(sorted(out, key=lambda b: (b.tasks + b.kthreads + b.cpus, b.cpus, b.kthreads)))


def canonical_events(enc: Encoding) -> tuple[Event, ...]:
    """One event per class of events equal up to renaming CPUs, and tasks of the same base: on CPU 0, by
    the first task of its base (or by an idle CPU), switching in the first other task of its base.

    Consecution and the properties are asked of every state, not of the initial one, and every fact is
    kept or dropped for all the tasks of a base (and all CPUs) at once: so the invariant, the step and the
    checks are the same up to such a renaming, and a step that breaks a fact or a property is one of these
    up to renaming. The initial state is not symmetric; initiation does not take a step."""
    def first(base, other=None) -> int:
        return next(t for t in range(enc.ntasks) if enc.base[t] is base and t != other)
    return tuple(e for e in enc.events if e.cpu == 0 and (e.task == IDLE or e.task == first(enc.base[e.task]))
                 and (e.target < 0 or e.target == first(enc.base[e.target], e.task)))


def size(bounds: ir.Bounds, unbounded_depth: bool) -> str:
    """An instance as a certificate names it (its depth bound only where there is one)."""
    text = f"tasks={bounds.tasks} kthreads={bounds.kthreads} cpus={bounds.cpus}"
    return text if unbounded_depth else f"{text} depth={bounds.depth}"


class _Instance:
    def __init__(self, strategy: ir.Strategy, bounds: ir.Bounds, unbounded_depth: bool):
        self.bounds = bounds
        self.size = size(bounds, unbounded_depth)
        enc = Encoding(System(strategy, bounds), unbounded_depth=unbounded_depth, prefix_counts=True)
        self.houdini = Houdini(enc, domain_facts(enc), candidates(enc), canonical_events(enc))
        self.index = {fact.key: i for i, fact in enumerate(self.houdini.cands) if fact.key is not None}
        self.alive: set[int] = set()

    def facts(self, keys: set) -> set[int]:
        return {i for key, i in self.index.items() if key in keys}

    def keys(self, indices: set[int]) -> set:
        return {self.houdini.cands[i].key for i in indices if i >= self.houdini.ndomain}


def prove_for_every(strategy: ir.Strategy, bounds: ir.Bounds, scope: Scope, properties,
                    deadline: float | None = None, explain: bool = True, certify: str | None = None
                    ) -> tuple[InductionOutcome, tuple[NotInductive, ...]]:
    """The invariant inductive on every instance, and each property proved from it on every instance; with
    the facts dropped on the way (the instance and the step that broke each)."""
    started = time.perf_counter()
    unbounded_depth = "depth" in scope.every
    built = [_Instance(strategy, b, unbounded_depth) for b in instances(strategy, bounds, scope)]
    keys = set().union(*(set(i.index) for i in built))
    total = len(keys)
    dropped: dict = {}
    rounds, settled = 0, 0
    while settled < len(built):  # a pass over every instance that drops nothing ends it
        for instance in built:
            h = instance.houdini
            start = instance.facts(keys)
            alive, taken = h.run(deadline, start)
            rounds += taken
            if alive is None:
                return InductionOutcome({}, (), total, 0, rounds, "timeout",
                                        time.perf_counter() - started), tuple(dropped.values())
            instance.alive = alive
            lost = instance.keys(start) - instance.keys(alive)
            for key in lost:
                i = instance.index[key]
                dropped.setdefault(key, NotInductive(key[0], instance.bounds, h.broken_by.get(i)))
            keys -= lost
            settled = 0 if lost else settled + 1
            if settled == len(built):
                break
    proofs, stopped = _properties(built, properties, deadline, explain)
    kept = len(keys)
    written = None
    if certify is not None and proofs:
        written = "".join(f"; ==== instance {i.size}\n"
                          + certificate(i.houdini, i.alive, list(proofs), f"{certify}, instance {i.size}")
                          + "(reset)\n" for i in built)
        written = _certificate_head(built, scope) + written
    outcome = InductionOutcome(proofs, (), total, kept, rounds, stopped, time.perf_counter() - started, written)
    return outcome, tuple(dropped.values())


def _properties(built: list[_Instance], properties, deadline, explain: bool) -> tuple[dict, str]:
    proofs = {}
    for prop in properties:
        support: dict = {}
        for instance in built:
            proved, needed = instance.houdini.prove(prop, instance.alive, deadline, explain)
            if proved is None:
                return proofs, "timeout"
            if not proved:
                break
            for i in needed:
                fact = instance.houdini.cands[i]
                if fact.key is not None:
                    support.setdefault(fact.text, set()).add(fact.family)
        else:
            proofs[prop] = Proof(METHOD, _readable(built, support))
    return proofs, ""


def _readable(built: list[_Instance], support: dict) -> tuple[str, ...]:
    """One line per fact; a task fact kept for one base only says which."""
    bases = {fact.family for i in built for fact in i.houdini.cands if fact.family not in (None, "cpu")}
    names = {"user": "user tasks", "kthread": "kernel threads"}
    lines = []
    for text, families in support.items():
        tasks = families - {"cpu"}
        narrow = tasks and tasks != bases
        lines.append(f"{text} ({', '.join(names.get(f, f) for f in sorted(tasks))})" if narrow else text)
    return tuple(lines)


def _certificate_head(built: list[_Instance], scope: Scope) -> str:
    sizes = "; ".join(i.size for i in built)
    return ("; pkrsverify: a proof " + scope.words() + ".\n"
            "; Its obligations are those of the bounded proof on each closed instance below (at most "
            f"{CUTOFF_TASKS} tasks on {CUTOFF_CPUS} CPUs):\n"
            f";   {sizes}\n"
            "; with the same invariant on each, and of each instance's events those on CPU 0 by the first task "
            "of its base\n; (or by an idle CPU) that switch in the first other task of its base: every other "
            "event is one of\n; these with tasks and CPUs renamed, which no fact tells apart. Why these "
            "instances and events cover\n; every machine is the cutoff argument of docs/semantics.md, section 5, "
            "\"Every number of tasks and\n; CPUs\". Every (check-sat) must answer unsat.\n\n")


def describe_size(b: ir.Bounds) -> str:
    """`3 tasks on 2 CPUs`, `1 task and 1 kernel thread on 1 CPU`."""
    return (f"{b.tasks} task{'s' if b.tasks != 1 else ''}"
            + (f" and {b.kthreads} kernel thread{'s' if b.kthreads != 1 else ''}" if b.kthreads else "")
            + f" on {b.cpus} CPU{'s' if b.cpus != 1 else ''}")


def describe(note: NotInductive) -> str:
    """`thread.pkrs == PKRS ... is not inductive with 3 tasks on 2 CPUs: CPU 1 schedule -> task 2 breaks it`."""
    where = describe_size(note.bounds)
    if note.event is None:
        return f"`{note.text}` fails initially with {where}"
    e = note.event
    target = f" -> task {e.target}" if e.target >= 0 else ""
    return f"`{note.text}` is not inductive with {where}: a step `{e.action.value}{target}` on CPU {e.cpu} breaks it"


__all__ = ["describe_size", "NotInductive", "instances", "prove_for_every", "describe", "CUTOFF_TASKS", "CUTOFF_CPUS"]
