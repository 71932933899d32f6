"""The kernel's own bugs of this class, found again (specs/bugs/, docs/kernel-facts.md §4-§5).

Each bug is a pair: the design as it was, whose `expect` lines record the
violation and its shortest length, and the fix, which holds. Every verdict
comes from running the engines: the explicit engine through `pkrsverify
test`, the Z3 engine on the same spec (a violation at the same length, a
proof or nothing where the explicit engine says holds), and SPIN on the
Promela export, which must agree on every verdict, every shortest length and
the number of states.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli
from pkrsverify.analyses.agreement import disagreements
from pkrsverify.explicit import engine as explicit
from pkrsverify.front.loader import load_strategy, with_bounds
from pkrsverify.result import Verdict
from pkrsverify.semantics.system import System
from pkrsverify.symbolic import engine as symbolic
from test_spin import cross_check, needs_spin

BUGS = Path(__file__).resolve().parent.parent / "specs" / "bugs"
SPECS = sorted(BUGS.glob("*.spec"))
NAMES = sorted({p.name.split(".")[0] for p in SPECS})  # NAME.before.spec: the design as it was; NAME.after.spec: the fix


def test_every_bug_spec_is_in_a_pair():
    assert len(NAMES) >= 4
    assert sorted(p.name for p in SPECS) == sorted(f"{n}.{half}.spec" for n in NAMES for half in ("after", "before"))


def test_every_expectation_is_met():
    code, out, err = run_cli("test", str(BUGS), "--plain")
    assert code == 0, out + err
    assert f"{len(SPECS)} passed, 0 failed" in out


@pytest.mark.parametrize("name", NAMES)
def test_the_bug_breaks_what_its_fix_keeps(name):
    broken = explicit.check(System(load_strategy(BUGS / f"{name}.before.spec")))
    fixed = explicit.check(System(load_strategy(BUGS / f"{name}.after.spec")))
    violated = {p.property for p in broken.properties if p.verdict is Verdict.VIOLATED}
    assert violated, f"{name}.before breaks nothing"
    assert all(p.verdict is Verdict.HOLDS for p in fixed.properties), fixed.properties
    assert violated <= {p.property for p in fixed.properties}, "the fix does not check what the bug breaks"


# Houdini finds no proof for these (their invariants relate a frame's delivered value to the frame above
# it, across windows): the Z3 engine runs into its time limit and answers UNKNOWN, never a verdict.
UNPROVED = {"nmi_cr2.after", "dr7_db_schedule.after", "dr7_db_schedule.before"}


@pytest.mark.parametrize("spec", [pytest.param(p, marks=pytest.mark.slow) if p.stem in UNPROVED else p
                                  for p in SPECS], ids=lambda p: p.stem)
def test_the_z3_engine_agrees(spec):
    system = System(load_strategy(spec))
    ours = explicit.check(system)
    theirs = symbolic.check(system, limits=symbolic.Limits(timeout=30, spacer=False, explain=False))
    problems = disagreements(ours, theirs)
    assert not problems, "\n".join(p.describe() for p in problems)
    for mine in ours.properties:
        if mine.verdict is Verdict.VIOLATED:
            assert theirs.result_for(mine.property).length == mine.length, mine.property.value


@needs_spin
@pytest.mark.parametrize("tasks", [1, pytest.param(2, marks=pytest.mark.slow)])
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_spin_agrees(spec, tasks, tmp_path):
    strategy = load_strategy(spec)
    bounds = strategy.bounds
    cross_check(with_bounds(strategy, tasks=min(bounds.tasks, tasks), cpus=1, depth=min(bounds.depth, 3)), tmp_path)
