"""Exact reductions of the explicit search (issue 5).

Each one can be switched off, and tests/test_reductions.py checks that
verdicts and shortest counterexample lengths do not change:

- `dead` (liveness.py): a cell that every path writes before it reads it
  again carries no information; it is reset to INIT;
- `symmetry` (canonical.py): tasks of one base kind are interchangeable, and
  so are CPUs; one representative per orbit is stored;
- `summaries` (summaries.py): an atomic excursion (an IRQ, NMI or #MC and
  whatever nests on it) is explored once per distinct input and reused;
- `slices` (slices.py): registers whose values never meet are checked one
  slice at a time, each with the storage its values flow through;
- `por` (por.py): with several CPUs, a CPU whose every step is its own is
  expanded alone, and may be retired for good: one order of the steps of
  different CPUs that commute.
"""
from __future__ import annotations

from dataclasses import dataclass

NAMES = ("summaries", "symmetry", "dead", "slices", "por")


@dataclass(frozen=True, slots=True)
class Reductions:
    summaries: bool = True
    symmetry: bool = True
    dead: bool = True
    slices: bool = True
    por: bool = True

    @classmethod
    def none(cls) -> "Reductions":
        return cls(False, False, False, False, False)

    @classmethod
    def without(cls, names) -> "Reductions":
        """All reductions but the named ones ("all" names every one)."""
        names = set(names)
        if "all" in names:
            return cls.none()
        unknown = names - set(NAMES)
        if unknown:
            raise ValueError(f"unknown reduction {sorted(unknown)[0]!r}: expected {', '.join(NAMES)} or all")
        return cls(**{name: name not in names for name in NAMES})

    def describe(self) -> str:
        on = [name for name in NAMES if getattr(self, name)]
        return ", ".join(on) if on else "none"
