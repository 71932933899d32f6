"""Partial-order reduction across CPUs (issue 12), exact for shortest counterexamples.

Which events commute. A running task's events other than its switches
(enters, writes, exits, `continue`s, and the atomic excursions that
summaries.py makes single steps) touch only its CPU's registers, cells and
stacks and the task's own frames and storage, unless a handler of an entry,
exit or write names `global` storage (then nothing here applies). No other
CPU touches those: a switch or dispatch elsewhere moves other tasks (a
running task is never ready). Such an event and any event of another CPU
therefore commute (either order reaches the same state up to the renaming
of values, which only equality observes: docs/semantics.md §2; and each
makes the same checks, so coverage and vacuity agree too), and another
CPU's events neither enable nor disable it. Nor does it change who runs or
is ready, so it enables or disables nothing elsewhere. A switch handler
elsewhere runs for that CPU and an incoming ready task, never this one, so
`global` storage named only in switch handlers is no obstacle. A CPU
is *local* in a state when it runs a task and every step it can take there
is of that kind (`Node.switches` and `Node.switches_in_excursion` false).

The reduction. In a state s where some CPU is local, the first such CPU c
is expanded alone, and one more edge of no events leads to `freeze(s, c)`:
s with c retired for good (it takes no more events, and its task is gone:
neither runs nor is ready again). What c and its task hold is then read by
nothing, so it is cleared. Where no CPU is local, every CPU is expanded.

Why shortest lengths are exact. Claim: from every state the reduced graph
reaches, if some path of n events (or n events' worth of summarised steps)
violates p, a reduced path of at most n events does. By induction on n,
then on the CPUs not yet frozen. If no CPU is local, the path's first step is
a reduced step. Else let c be the CPU expanded. If the path has a step of c,
take the first: every step before it is another CPU's, so it was already
enabled in s, it commutes to the front, and the reordered path is as long
and violates p the same way; its first step is a reduced step, and the
rest is the claim for n - 1 from its successor. If the path has no step of
c, it runs unchanged from freeze(s, c), at the same distance (the edge has
no events), where one CPU fewer is left to freeze (`ready()` skips tasks
with no frames, which only the frozen one has, and nothing else reads what
was cleared). A fatal step (a push or pop that ends the path) is a path's
last step and is checked where it is taken, so it needs no case of its own.
Every reduced path is a path of the system: freezing only stops a CPU.

No cycle proviso is needed (the freeze edge is what keeps another CPU from
being ignored behind a CPU that loops alone), and the search settles states
in order of distance, so the edges of no events keep the depths exact: the
search with summaries (search.py `_by_distance`) already takes edges of
several events, and takes these too.
"""
from __future__ import annotations

from dataclasses import fields, is_dataclass

from ...front import ir
from ...front.source import Span
from ...semantics.system import System
from ..compiled import Compiled
from ..states import FROZEN

LOCAL_HOOKS = (ir.Hook.ENTRY, ir.Hook.EXIT, ir.Hook.WRITE)  # the handlers a running task's own events run


def local_events_commute(system: System) -> bool:
    """No handler of an entry, exit or write names global storage: a running task's own events touch its
    CPU and itself only (the module's comment)."""
    storages = system.strategy.storages

    def names_global(node) -> bool:
        # every field of every statement, nested bodies included, so that a new statement form (or a
        # stack in global storage) is seen without this function knowing its fields' names
        if isinstance(node, tuple):
            return any(names_global(item) for item in node)
        if isinstance(node, ir.Cell):
            return storages[node.storage].place is ir.Place.GLOBAL
        if isinstance(node, (ir.Pop, ir.Push)) and storages[node.stack].place is ir.Place.GLOBAL:
            return True
        if is_dataclass(node) and not isinstance(node, Span):
            return any(names_global(getattr(node, f.name)) for f in fields(node))
        return False

    return not any(names_global(h.body) for h in system.strategy.handlers if h.hook in LOCAL_HOOKS)


def applies(system: System) -> bool:
    return len(system.layout.cpus) > 1 and local_events_commute(system)


class CpuOrder:
    """Which CPU to expand alone in a state, and the state with a CPU frozen."""

    def __init__(self, compiled: Compiled, summarised: bool):
        self.compiled = compiled
        self.summarised = summarised  # atomic excursions are single steps, which may end in a switch
        self.cpus = compiled.cpus
        self._cpu = [compiled.cpu_positions(c) for c in range(self.cpus)]     # running first
        self._task = [compiled.task_positions(t) for t in range(compiled.tasks)]  # frame count first

    def local(self, s: bytes) -> int | None:
        """The first CPU whose every step in s is its own (the module's comment), or None."""
        compiled = self.compiled
        for c in range(self.cpus):
            t = s[c]
            if t >= FROZEN:
                continue
            node = compiled.node(s, t)
            if not node.switches and not (self.summarised and node.switches_in_excursion):
                return c
        return None

    def freeze(self, s: bytes, c: int) -> bytes:
        """s with CPU c retired: it runs nothing and takes no events, and its task is gone."""
        b = bytearray(s)
        for position in (*self._task[s[c]], *self._cpu[c]):
            b[position] = 0  # a frame count of 0: no task has that otherwise
        b[self._cpu[c][0]] = FROZEN
        return bytes(b)
