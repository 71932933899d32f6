"""Tiny hand-worked models (tests/cases/): every verdict and shortest length
was worked out by hand from docs/semantics.md and is written in the spec's own
`expect` lines, with the scenario in its header comment."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CASES
from pkrsverify.front import ir
from pkrsverify.explicit.engine import Limits, check
from pkrsverify.analyses.judge import Outcome, judge
from pkrsverify.front.loader import load_strategy
from pkrsverify.result import StopReason
from pkrsverify.semantics.system import System

SPECS = sorted(CASES.glob("*.spec"))


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_case_meets_its_hand_worked_expectations(spec: Path):
    strategy = load_strategy(spec)
    assert {e.property for e in strategy.expectations} == set(ir.DEFAULTS), "every property has an expectation"
    result = check(System(strategy), limits=Limits(max_states=500_000))
    assert result.stop in (StopReason.COMPLETE, StopReason.ALL_VIOLATED)
    problems = [j for j in judge(result, strategy.expectations, strategy.bounds) if j.outcome is not Outcome.MET]
    assert not problems, "\n".join(p.describe() for p in problems)


def test_there_are_enough_cases():
    assert len(SPECS) >= 12
