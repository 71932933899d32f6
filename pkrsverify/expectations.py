"""Expectations inside specs (`expect no_lost violated length 6`), as herd7
litmus tests carry their Result line: compare a CheckResult against them."""
from __future__ import annotations

from dataclasses import dataclass

from .front import ir
from .result import CheckResult, Verdict


@dataclass(frozen=True, slots=True)
class Mismatch:
    expectation: ir.Expectation
    actual: str

    def describe(self) -> str:
        e = self.expectation
        wanted = "violated" + (f" in {e.length} events" if e.length else "") if e.violated else "holds"
        return f"{e.span.location()}: expected {e.property.value} {wanted}, got {self.actual}"


def mismatches(result: CheckResult, expectations: tuple[ir.Expectation, ...]) -> list[Mismatch]:
    """Expectations the result contradicts. A property the run left unknown contradicts any expectation."""
    out = []
    for expectation in expectations:
        found = result.result_for(expectation.property)
        if found is None:
            continue  # not checked in this run (--property)
        if found.verdict is Verdict.UNKNOWN:
            out.append(Mismatch(expectation, "unknown (a limit was hit first)"))
        elif found.verdict is Verdict.VIOLATED:
            if not expectation.violated:
                out.append(Mismatch(expectation, f"violated in {found.trace.length} events"))
            elif expectation.length is not None and expectation.length != found.trace.length:
                out.append(Mismatch(expectation, f"violated in {found.trace.length} events"))
        elif expectation.violated:
            out.append(Mismatch(expectation, found.verdict.value))
    return out
