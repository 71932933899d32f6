"""What a check produces: verdicts, counterexamples, statistics.

One value that every report renders and every engine fills in. Built
mutably inside an engine run, frozen when it leaves.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from .front import ir

if TYPE_CHECKING:
    from .analyses.review import ReviewFigures


class Verdict(Enum):
    VIOLATED = "violated"
    HOLDS = "holds"        # every reachable state for these bounds was explored
    PROVED = "proved"      # for any number of steps (say how)
    UNKNOWN = "unknown"    # a limit was hit first (say which)


class StopReason(Enum):
    COMPLETE = "every reachable state explored"
    ALL_VIOLATED = "every property violated; search stopped"
    STATE_LIMIT = "state limit reached"
    TIMEOUT = "time limit reached"
    INTERRUPTED = "interrupted"
    STEP_LIMIT = "step limit reached"  # z3: BMC unrolled as far as allowed, no proof found


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
    pkrs: str           # PKRS of this CPU after the step ("INIT", "v1", ...; "-" after a fatal step)
    changes: tuple[tuple[str, str], ...]  # storage that changed: (name, new value)
    nesting: int        # entry frames on the task's stack after the step
    # Filled by provenance.py (empty when a trace is built without it):
    previous: tuple[str, ...] = ()        # the value before, for each change ("" where the cell is new)
    statements: tuple[SourceRef, ...] = ()  # the spec statements this step ran, in order
    state: tuple[tuple[str, str], ...] = ()  # PKRS of every CPU and every storage cell after the step


@dataclass(frozen=True, slots=True)
class Trace:
    property: ir.Property
    steps: tuple[TraceStep, ...]
    explanation: str    # why the last step violates the property
    events: tuple      # the raw system events, for replay
    culprit: str = ""   # provenance.py: which statements saved, overwrote and restored the value
    blame: tuple[Blame, ...] = ()  # the same story as located steps; the first with a location is the culprit

    @property
    def location(self) -> SourceRef | None:
        """The culprit statement: where a report that needs one place points."""
        return next((b.location for b in self.blame if b.location is not None), None)

    @property
    def length(self) -> int:
        return len(self.steps)


@dataclass(frozen=True, slots=True)
class PropertyResult:
    property: ir.Property
    verdict: Verdict
    trace: Trace | None = None
    note: str = ""      # how a verdict was reached, or how far an unknown one got
    invariant: tuple[str, ...] = ()  # PROVED: the facts the proof rests on, in the spec's names


@dataclass(frozen=True, slots=True)
class Statistics:
    states: int
    transitions: int
    levels: int          # BFS levels completed: no violation is shorter than this unless reported
    max_nesting: int     # deepest entry nesting reached
    seconds: float
    # explicit engine: which exact reductions ran (engines/explicit.py), and what
    # the excursion summaries held: summary_states are explored inside them, not stored
    reductions: str = ""
    summaries: int = 0
    summary_states: int = 0

    @property
    def states_per_second(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Coverage:
    """What the search exercised (coverage.py computes it)."""

    entered: tuple[str, ...]        # entry kinds entered at least once
    exited: tuple[str, ...]         # entry kinds exited at least once
    handlers_run: tuple[str, ...]   # "on entry", "on exit(irq)", ...
    max_nesting: int
    never_entered: tuple[str, ...]  # declared entry kinds never entered: a warning
    never_run: tuple[str, ...]      # declared handlers that never ran: a warning

    @property
    def warnings(self) -> tuple[str, ...]:
        out = [f"entry kind `{k}` was never entered" for k in self.never_entered]
        out += [f"handler `{h}` never ran" for h in self.never_run]
        return tuple(out)


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
    coverage: Coverage | None = None
    review: ReviewFigures | None = None  # review.py: static figures, for compare and the reports

    @property
    def violated(self) -> bool:
        return any(p.verdict is Verdict.VIOLATED for p in self.properties)

    @property
    def unknown(self) -> bool:
        return any(p.verdict is Verdict.UNKNOWN for p in self.properties)

    def result_for(self, prop: ir.Property) -> PropertyResult | None:
        return next((p for p in self.properties if p.property is prop), None)
