"""Stack sizing: both engines, against each other and against the hand-worked facts.

docs/kernel-facts.md §1: the deepest bare-metal chain is 8 entries, so a
per-task stack pushed on every entry needs 8, and tglx's 7 overflows at the
8th nested entry (stack7's no_overflow, 8 events). The hand-worked cases
give the small ones: a `cpu stack 1` shared by two sleepers needs 2
(overflow in 3 events), a `task stack 1` under depth 2 needs 2 (overflow
in 2). Sizing asks the engines no_overflow at other sizes, so each answer
below is also the engines' answer to a plain `check`.
"""
from __future__ import annotations

import pytest

from conftest import CASES, SPECS, run_cli
from pkrsverify.analyses.sizing import Limits, describe_path, disagreements, size, with_size
from pkrsverify.explicit.engine import check
from pkrsverify.front import ir
from pkrsverify.front.loader import load_strategy, with_bounds
from pkrsverify.result import Verdict
from pkrsverify.semantics.system import System, replay


def test_x86_64_needs_8_and_stack7_overflows_at_the_8th_entry():
    strategy = load_strategy(SPECS / "stack7.spec")
    for engine in ("explicit", "z3"):
        (need,) = size(strategy, engine=engine).stacks
        assert (need.declared, need.needed, need.at_most) == (7, 8, 8), engine
        assert need.enough is False
        assert need.overflow.length == 8  # the no_overflow counterexample's length (docs/kernel-facts.md)
        assert describe_path(System(strategy), need.overflow.events).count(",") == 7  # eight entries, named
        assert need.deepest.length == 8 and need.at_least == 8


def test_the_answer_is_the_engines_answer_at_each_size():
    """needs N: a plain check of no_overflow holds at N and is violated at N - 1."""
    strategy = with_bounds(load_strategy(SPECS / "stack15.spec"), tasks=1, depth=4)
    (need,) = size(strategy).stacks
    assert need.needed == 4 and need.enough
    stack = strategy.storages[0]
    at = lambda m: check(System(with_size(strategy, stack, m)), properties=(ir.Property.NO_OVERFLOW,)).properties[0]  # noqa: E731
    assert at(4).verdict is Verdict.HOLDS and at(3).verdict is Verdict.VIOLATED
    final = replay(System(with_size(strategy, stack, 4)), need.deepest.events)[-1].step.state
    index = System(strategy).layout.tasks[0].stacks[stack.index][0]
    assert final[index] == 4  # the path to "4 entries" really leaves 4 on the stack


@pytest.mark.slow
def test_8_is_enough_for_every_nesting_depth():
    (need,) = size(load_strategy(SPECS / "stack15.spec"), engine="z3", unbounded_depth=True).stacks
    assert need.needed == 8 and need.enough


@pytest.mark.parametrize("spec,needed,overflow", [
    (CASES / "cpu_stack_two_sleepers_overflow.spec", 2, 3),
    (CASES / "one_slot_stack_overflows.spec", 2, 2),
    (CASES / "task_stack2_stale.spec", 2, 0),
    (CASES / "unbalanced_push_underflows.spec", 1, 0),
])
def test_both_engines_size_the_hand_worked_stacks_alike(spec, needed, overflow):
    strategy = load_strategy(spec)
    explicit, z3 = size(strategy), size(strategy, engine="z3")
    assert not disagreements(explicit, z3)
    for sizing in (explicit, z3):
        (need,) = sizing.stacks
        assert need.needed == needed, sizing.engine
        assert (need.overflow.length if need.overflow else 0) == overflow, sizing.engine


def test_both_engines_agree_on_stack7_at_small_bounds():
    strategy = with_bounds(load_strategy(SPECS / "stack7.spec"), tasks=1, depth=3)
    explicit, z3 = size(strategy), size(strategy, engine="z3")
    assert not disagreements(explicit, z3)
    assert explicit.stacks[0].needed == z3.stacks[0].needed == 3
    assert explicit.stacks[0].deepest.length == z3.stacks[0].deepest.length == 3


def test_a_limit_is_an_honest_lower_bound():
    (need,) = size(load_strategy(SPECS / "stack7.spec"), limits=Limits(max_states=50)).stacks
    assert need.needed is None and need.enough is None
    assert "state limit" in need.how


def test_size_command_exit_codes_and_wording():
    code, out, _ = run_cli("size", str(CASES / "one_slot_stack_overflows.spec"), "--engine", "both")
    out = " ".join(out.split())  # plain text wraps at 72 columns
    assert code == 1
    assert "needs 2; 1 is not enough" in out
    assert "overflows after" in out
    code, out, _ = run_cli("size", str(CASES / "task_stack2_stale.spec"))
    out = " ".join(out.split())
    assert code == 0
    assert "is enough (0 to spare)" in out
    code, out, _ = run_cli("size", str(CASES / "pt_regs_switch_holds.spec"))
    assert code == 0 and "no stacks to size" in out
    code, out, _ = run_cli("size", str(SPECS / "stack7.spec"), "--max-states", "50")
    assert code == 3 and "at least" in out
