"""Do the explicit and the Z3 engine agree? Any disagreement is a bug in one of them.

Verdicts are compared as what each one claims about the reachable paths:

| explicit                | z3                                   | agree when                         |
|-------------------------|--------------------------------------|------------------------------------|
| VIOLATED in L events    | VIOLATED in L' events                | L == L' (both are shortest)        |
| VIOLATED in L events    | PROVED                               | never                              |
| VIOLATED in L events    | UNKNOWN, BMC refuted up to N events  | N < L                              |
| HOLDS (all explored)    | VIOLATED                             | never                              |
| HOLDS                   | PROVED or UNKNOWN                    | always                             |
| UNKNOWN, none within N  | VIOLATED in L' events                | L' > N                             |
| UNKNOWN                 | PROVED or UNKNOWN                    | always                             |

(`statistics.levels` is, for the explicit engine, the BFS levels fully
explored, and for z3 the number of events BMC refuted.)
"""
from __future__ import annotations

from dataclasses import dataclass

from ..front import ir
from ..result import CheckResult, PropertyResult, Verdict

@dataclass(frozen=True, slots=True)
class Disagreement:
    property: ir.Property
    explicit: str
    z3: str

    def describe(self) -> str:
        return f"{self.property.value}: explicit engine says {self.explicit}, z3 says {self.z3}"


def claim(result: PropertyResult, levels: int) -> str:
    if result.verdict is Verdict.VIOLATED:
        return f"violated in {result.length} events"
    if result.verdict is Verdict.UNKNOWN:
        return f"unknown (no violation within {levels} events)"
    return result.verdict.value


def disagreements(explicit: CheckResult, z3: CheckResult) -> list[Disagreement]:
    assert explicit.engine == "explicit" and z3.engine == "z3"
    assert explicit.bounds == z3.bounds, "compare runs at the same bounds"
    out = []
    for mine in explicit.properties:
        theirs = z3.result_for(mine.property)
        if theirs is None:
            continue
        if not _agree(mine, explicit.statistics.levels, theirs, z3.statistics.levels):
            out.append(Disagreement(mine.property, claim(mine, explicit.statistics.levels),
                                    claim(theirs, z3.statistics.levels)))
    return out


def _agree(explicit: PropertyResult, explored: int, z3: PropertyResult, refuted: int) -> bool:
    e, z = explicit.verdict, z3.verdict
    if e is Verdict.VIOLATED:
        length = explicit.length
        if z is Verdict.VIOLATED:
            return z3.length == length
        if z is Verdict.UNKNOWN:
            return refuted < length
        return False  # PROVED (or HOLDS, which z3 never says)
    if z is Verdict.VIOLATED:
        if e is Verdict.UNKNOWN:
            return z3.length > explored
        return False  # explicit HOLDS: every reachable state was explored
    return True


__all__ = ["disagreements", "Disagreement", "claim"]
