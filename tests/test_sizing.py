"""Stack sizing: both engines, against each other and against the hand-worked facts.

kernel-facts.md: the deepest bare-metal chain is 8 entries, so a per-task
stack pushed on every entry needs 8, and tglx's 7 overflows at the 8th
nested entry (stack7's no_overflow, 8 events). The hand-worked cases give
the small ones: a `cpu stack 1` shared by two sleepers needs 2 (overflow in
3 events), a `task stack 1` under depth 2 needs 2 (overflow in 2).
"""
from __future__ import annotations

import pytest

from conftest import CASES, SPECS, run_cli
from pkrsverify.commands.size import disagreements
from pkrsverify.front.loader import load_strategy, with_bounds
from pkrsverify.analyses.sizing import describe_path, size_explicit, size_z3
from pkrsverify.semantics.system import System


def test_x86_64_needs_8_and_stack7_overflows_at_the_8th_entry():
    strategy = load_strategy(SPECS / "stack7.spec")
    (need,) = size_z3(strategy).stacks
    assert (need.declared, need.needed, need.upper) == (7, 8, 8)
    assert need.enough is False
    assert len(need.overflow) == 8  # the no_overflow counterexample's length (kernel-facts.md)
    assert describe_path(System(strategy), need.overflow).count(",") == 7  # eight entries, named


@pytest.mark.slow
def test_8_is_enough_for_every_nesting_depth():
    (need,) = size_z3(load_strategy(SPECS / "stack15.spec"), unbounded_depth=True).stacks
    assert need.needed == 8 and need.enough


@pytest.mark.parametrize("spec,needed,overflow", [
    (CASES / "cpu_stack_two_sleepers_overflow.spec", 2, 3),
    (CASES / "one_slot_stack_overflows.spec", 2, 2),
    (CASES / "task_stack2_stale.spec", 2, 0),
    (CASES / "unbalanced_push_underflows.spec", 1, 0),
])
def test_both_engines_size_the_hand_worked_stacks_alike(spec, needed, overflow):
    strategy = load_strategy(spec)
    explicit, z3 = size_explicit(strategy), size_z3(strategy)
    assert not disagreements(explicit, z3)
    for sizing in (explicit, z3):
        (need,) = sizing.stacks
        assert need.needed == needed, sizing.engine
        assert len(need.overflow) == overflow, sizing.engine


def test_both_engines_agree_on_stack7_at_small_bounds():
    strategy = with_bounds(load_strategy(SPECS / "stack7.spec"), tasks=1, depth=3)
    explicit, z3 = size_explicit(strategy), size_z3(strategy)
    assert not disagreements(explicit, z3)
    assert explicit.stacks[0].needed == z3.stacks[0].needed == 3
    assert len(explicit.stacks[0].reach) == len(z3.stacks[0].reach) == 3


def test_size_command_exit_codes_and_wording():
    code, out, _ = run_cli("size", str(CASES / "one_slot_stack_overflows.spec"), "--engine", "both")
    assert code == 1
    assert "needs 2; 1 is not enough" in out
    assert "overflows after" in out
    code, out, _ = run_cli("size", str(CASES / "task_stack2_stale.spec"))
    assert code == 0
    assert "is enough (0 to spare)" in out
    code, out, _ = run_cli("size", str(CASES / "pt_regs_switch_holds.spec"))
    assert code == 0 and "no stacks to size" in out
