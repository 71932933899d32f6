"""What a check produces: verdicts, counterexamples, statistics, and what reports add to them.

An engine fills a CheckResult (verdicts, each violation as a replayed path
of events, statistics, the events it took); explain/ turns each path into
a Trace in kernel terms and adds the coverage; analyses/ add the review
figures. Reports render the whole value. Built mutably inside a stage,
frozen when it leaves.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .front import ir
from .front.diagnostics import Diagnostic
from .semantics.events import Event


@dataclass(frozen=True, slots=True)
class Unloaded:
    """A spec that could not be checked: its diagnostics, reported beside the others' results."""

    path: str
    diagnostics: tuple[Diagnostic, ...]


class Verdict(Enum):
    VIOLATED = "violated"
    HOLDS = "holds"        # every reachable state for these bounds was explored
    PROVED = "proved"      # for any number of steps (say how)
    UNKNOWN = "unknown"    # a limit was hit first (say which)


class StopReason(Enum):
    COMPLETE = "every reachable state explored"
    ALL_VIOLATED = "every property violated; search stopped"
    DECIDED = "every property proved or violated; search stopped"  # --prove-first: z3 proved the rest
    FIRST_VIOLATION = "first violation found; search stopped"  # Limits.first_violation: mutants, repairs
    STATE_LIMIT = "state limit reached"
    TIMEOUT = "time limit reached"
    INTERRUPTED = "interrupted"        # Ctrl-C: what was reached so far
    STEP_LIMIT = "step limit reached"  # z3: BMC unrolled as far as allowed, no proof found
    VALUE_LIMIT = "value limit reached"  # explicit: a state held more distinct values than a byte names


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A place in a spec, for reports that point at a line (SARIF, culprits)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    text: str           # the statement as written


@dataclass(frozen=True, slots=True)
class Blame:
    """One step of the story of a violation (provenance.py): who did what where."""

    role: str           # "saved", "overwrote", "restored", "set", "pushed", "popped", "missing"
    step: int           # 0: not a step (a missing handler)
    location: SourceRef | None
    message: str


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One event of a counterexample, in kernel terms."""

    number: int
    cpu: int
    task: int           # the task the event acts on (for dispatch, the task switched in)
    event: str          # "enter page_fault", "write v1", "exit irq", "schedule -> task 1"
    pkrs: str           # this CPU's register after the step ("INIT", "v1", ...; "-" after a fatal step): the
                        # register of the violated property (Trace.register), PKRS unless the spec names others
    changes: tuple[tuple[str, str], ...]  # storage that changed: (name, new value)
    nesting: int        # entry frames on the task's stack after the step
    # Filled by provenance.py (empty when a trace is built without it):
    previous: tuple[str, ...] = ()        # the value before, for each change ("" where the cell is new)
    statements: tuple[SourceRef, ...] = ()  # the spec statements this step ran, in order
    state: tuple[tuple[str, str], ...] = ()  # every register of every CPU and every storage cell after the step
    registers: tuple[tuple[str, str], ...] = ()  # (name, value) of each register of this CPU after the step


@dataclass(frozen=True, slots=True)
class Trace:
    property: ir.Property
    steps: tuple[TraceStep, ...]
    explanation: str    # why the last step violates the property
    events: tuple      # the raw system events, for replay
    culprit: str = ""   # provenance.py: which statements saved, overwrote and restored the value
    blame: tuple[Blame, ...] = ()  # the same story as located steps; the first with a location is the culprit
    register: str = ir.PKRS  # the register each step's `pkrs` shows: the violated property's

    @property
    def location(self) -> SourceRef | None:
        """The culprit statement: where a report that needs one place points."""
        return next((b.location for b in self.blame if b.location is not None), None)

    @property
    def length(self) -> int:
        return len(self.steps)


@dataclass(frozen=True, slots=True)
class Counterexample:
    """A violation as an engine found it: a shortest path of events whose last step violates the property
    (replayed on the reference interpreter before the engine reported it)."""

    property: ir.Property
    events: tuple[Event, ...]

    @property
    def length(self) -> int:
        return len(self.events)


@dataclass(frozen=True, slots=True)
class Scope:
    """What a verdict that holds covers: the check's bounds, or every value of some of them.

    HOLDS (explicit) covers every path within the bounds; PROVED (z3) every number of steps at the
    bounds, and with `every` more: every nesting depth (`--depth unbounded`), every number of tasks,
    kernel threads or CPUs (`--tasks any`, ...: docs/semantics.md section 5)."""

    every: frozenset[str] = frozenset()  # of BOUNDS

    BOUNDS = ("tasks", "kthreads", "cpus", "depth")

    def words(self) -> str:
        """`within the bounds`, `for every nesting depth`, `for every number of tasks, CPUs and nesting depth`."""
        counted = [name for bound, name in zip(self.BOUNDS, ("tasks", "kernel threads", "CPUs")) if bound in self.every]
        if not counted:
            return "for every nesting depth" if "depth" in self.every else "within the bounds"
        if "depth" in self.every:
            counted.append("nesting depth")
        return "for every number of " + (counted[0] if len(counted) == 1
                                          else f"{', '.join(counted[:-1])} and {counted[-1]}")

    def covers(self, bounds: ir.Bounds) -> dict:
        """Each bound as covered: its value, or "every" (JSON)."""
        return {b: "every" if b in self.every else getattr(bounds, b) for b in self.BOUNDS}


@dataclass(frozen=True, slots=True)
class PropertyResult:
    property: ir.Property
    verdict: Verdict
    counterexample: Counterexample | None = None
    note: str = ""      # how a verdict was reached, or how far an unknown one got
    invariant: tuple[str, ...] = ()  # PROVED: the facts the proof rests on, in the spec's names
    trace: Trace | None = None       # explain/: the counterexample in kernel terms
    vacuous: bool = False            # explain/: it holds, but no step of the search ever checked it
    scope: Scope = Scope()           # HOLDS and PROVED: what the verdict covers beyond the bounds

    @property
    def length(self) -> int | None:
        """Events of the counterexample, if there is one."""
        return self.counterexample.length if self.counterexample else None


@dataclass(frozen=True, slots=True)
class Statistics:
    states: int
    transitions: int
    levels: int          # BFS levels completed: no violation is shorter than this unless reported
    max_nesting: int     # deepest entry nesting reached
    seconds: float
    # explicit engine: which exact reductions ran (explicit/engine.py), and what
    # the excursion summaries held: summary_states are explored inside them, not stored
    reductions: str = ""
    summaries: int = 0
    summary_states: int = 0
    # the search's own seconds where `seconds` also holds other work (proofs: analyses/prove_first.py)
    search_seconds: float | None = None

    @property
    def states_per_second(self) -> float:
        """The search's speed: its states over its own seconds."""
        seconds = self.seconds if self.search_seconds is None else self.search_seconds
        return self.states / seconds if seconds > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Coverage:
    """What the search exercised (coverage.py computes it)."""

    entered: tuple[str, ...]        # entry kinds entered at least once
    exited: tuple[str, ...]         # entry kinds exited at least once
    handlers_run: tuple[str, ...]   # "on entry", "on exit(irq)", ...
    max_nesting: int
    never_entered: tuple[str, ...]  # declared entry kinds never entered: the run is vacuous there
    never_run: tuple[str, ...]      # declared handlers that never ran: likewise
    unchecked: tuple[str, ...] = ()  # properties asked for whose check no step ever made
    nests_deeper: bool = False      # the depth bound, not the model, stopped the nesting

    @property
    def warnings(self) -> tuple[str, ...]:
        out = [f"vacuous: entry kind `{k}` was never entered" for k in self.never_entered]
        out += [f"vacuous: handler `{h}` never ran" for h in self.never_run]
        out += [f"vacuous: no step ever checked {p}" for p in self.unchecked]
        return tuple(out)

    @property
    def vacuous(self) -> bool:
        return bool(self.never_entered or self.never_run or self.unchecked)


@dataclass(frozen=True, slots=True)
class CheckResult:
    spec: str            # the spec file as given
    strategy: str
    model: str
    bounds: ir.Bounds
    engine: str
    properties: tuple[PropertyResult, ...]
    statistics: Statistics
    stop: StopReason
    coverage: Coverage | None = None     # explain/coverage.py, from `taken`
    review: ReviewFigures | None = None  # analyses/review.py: static figures, for compare and the reports
    taken: frozenset[Event] | None = None  # explicit engine: every event some step of the search took
    checked: frozenset[ir.Property] | None = None  # explicit engine: the properties some step checked
    nests_deeper: bool = False  # the search met the depth bound where the model would nest deeper
    certificate: str | None = None  # z3 engine, when asked: its Houdini proofs as SMT-LIB 2 (anyone can recheck)

    @property
    def violated(self) -> bool:
        return any(p.verdict is Verdict.VIOLATED for p in self.properties)

    @property
    def unknown(self) -> bool:
        return any(p.verdict is Verdict.UNKNOWN for p in self.properties)

    @property
    def proved(self) -> bool:
        """Every property PROVED (z3 engine)."""
        return all(p.verdict is Verdict.PROVED for p in self.properties)

    @property
    def interrupted(self) -> bool:
        return self.stop is StopReason.INTERRUPTED

    @property
    def vacuous(self) -> bool:
        """Something the search says holds, but part of the spec or a property was never exercised: it means
        nothing there. (A violation is evidence whatever else the search covered; a proof needs no search.)"""
        holds = any(p.verdict is Verdict.HOLDS for p in self.properties)
        return holds and self.coverage is not None and self.coverage.vacuous

    def result_for(self, prop: ir.Property) -> PropertyResult | None:
        return next((p for p in self.properties if p.property == prop), None)


# ---- static review figures (analyses/review.py computes them) ---------------------------

@dataclass(frozen=True, slots=True)
class MsrCount:
    """PKRS MSR accesses of one handler run, as ranges: an access under `if`
    happens on some runs only (write-avoidance), so it counts 0 or 1."""

    reads_min: int = 0
    reads_max: int = 0
    writes_min: int = 0
    writes_max: int = 0

    def __add__(self, other: MsrCount) -> MsrCount:
        return MsrCount(self.reads_min + other.reads_min, self.reads_max + other.reads_max,
                        self.writes_min + other.writes_min, self.writes_max + other.writes_max)

    @property
    def conditional(self) -> bool:
        return self.reads_min != self.reads_max or self.writes_min != self.writes_max

    @property
    def none(self) -> bool:
        return self.reads_max == 0 and self.writes_max == 0

    def describe(self) -> str:
        """`1r 1w`; a conditional write as `1r 0-1w`."""
        def part(low: int, high: int, unit: str) -> str:
            return f"{low}{unit}" if low == high else f"{low}-{high}{unit}"
        return f"{part(self.reads_min, self.reads_max, 'r')} {part(self.writes_min, self.writes_max, 'w')}"


@dataclass(frozen=True, slots=True)
class HookCost:
    """The MSR accesses of one event (entry, exit, context switch, the write API),
    grouped by the entry kinds that pay the same (one group for switch and write)."""

    event: str
    groups: tuple[tuple[tuple[str, ...], MsrCount], ...]  # (kinds, cost); kinds () when not per kind

    @property
    def worst(self) -> MsrCount:
        """The dearest kind's cost: what a reviewer quotes."""
        return max((cost for _, cost in self.groups), key=lambda c: (c.writes_max, c.reads_max, c.writes_min),
                   default=MsrCount())

    @property
    def uniform(self) -> bool:
        return len(self.groups) <= 1

    def describe(self) -> str:
        """`1r 1w`, or per kind: `1r 1w on page_fault, irq; none on syscall, nmi, mce`."""
        if self.uniform:
            return self.worst.describe()
        return "; ".join(f"{'none' if cost.none else cost.describe()} on {', '.join(kinds)}"
                         for kinds, cost in self.groups)


@dataclass(frozen=True, slots=True)
class StorageFigure:
    name: str
    place: str         # as written: "task stack 7", "frame in pt_regs", ...
    bytes: int         # one instance: one slot, or a whole stack with its index
    per: str           # "task", "cpu", "frame", "system"


@dataclass(frozen=True, slots=True)
class ReviewFigures:
    storages: tuple[StorageFigure, ...]
    bytes_per_task: int
    bytes_per_cpu: int
    bytes_per_frame: int               # on the entry kinds that have the most frame storage
    bytes_per_frame_uniform: bool      # every entry kind's frame carries the same
    bytes_global: int
    entry: HookCost
    exit: HookCost
    switch: HookCost                   # switch_out of one task and switch_in of the next, together
    write: HookCost                    # the write API's bookkeeping, besides its own WRMSR
    pt_regs_layout_changes: bool
    findable: bool                     # by the unwinder and the #PF handler, from pt_regs
    findable_why: str
    per_register: tuple["RegisterCost", ...] = ()  # a spec about several registers: the MSR figures of each


@dataclass(frozen=True, slots=True)
class RegisterCost:
    """One register's share of the MSR figures (entry and exit per kind, and a context switch)."""

    register: str
    entry: HookCost
    exit: HookCost
    switch: HookCost

    def describe(self) -> str:
        return f"{self.register}: entry {self.entry.worst.describe()}, exit {self.exit.worst.describe()}, " \
               f"switch {self.switch.worst.describe()}"


# ---- mutations, repairs, sketches (analyses/mutations.py, repair.py, synthesis.py) -------------------------

@dataclass(frozen=True, slots=True)
class Broken:
    """A property a changed design violates, with the length of its shortest counterexample."""

    property: ir.Property
    length: int


class MutantOutcome(Enum):
    BREAKS = "breaks"        # some property that held is violated
    SURVIVES = "survives"    # every property that held still holds (every reachable state explored)
    INVALID = "invalid"      # the mutant is not a valid spec (the analysis says why)
    EQUIVALENT = "same"      # the same spec as the original once comments and spaces are set aside
    UNKNOWN = "unknown"      # a limit was hit first


@dataclass(frozen=True, slots=True)
class MutantResult:
    location: SourceRef     # the statement or declaration changed
    mutation: str           # "deleted", "INIT for PKRS", "thread.pkrs for regs.pkrs", "task stack 6", ...
    operator: str           # delete | value | storage | guard | place
    outcome: MutantOutcome
    broken: tuple[Broken, ...] = ()     # BREAKS: the shortest violation(s) found
    detail: str = ""                    # INVALID: the diagnostic; UNKNOWN: the limit
    saves: tuple[str, ...] = ()         # a surviving deletion: the review figures it saves
    fixed: tuple[ir.Property, ...] = ()  # the original violates these, the mutant does not
    sooner: tuple[Broken, ...] = ()     # the original violates these, the mutant in fewer events
    reused: bool = False                # the verdict of an identical mutant, not searched again


@dataclass(frozen=True, slots=True)
class MutationRun:
    spec: str
    strategy: str
    model: str
    bounds: ir.Bounds
    held: tuple[ir.Property, ...]       # what the mutants are judged on: the original's properties that hold
    violated: tuple[Broken, ...]        # the original's own violations (not judged again)
    mutants: tuple[MutantResult, ...]
    statements: int
    storages: int
    searches: int
    seconds: float
