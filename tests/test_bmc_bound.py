"""The off-by-one of the BMC unrolling bound, pinned.

A violation at exactly step k must be found by an unrolling of k steps, not
missed by it and not first found at k + 1; and an unrolling of k - 1 steps
must refute it. The last step may be a dead end: a fatal push (overflow)
ends the path there, with no successor state, and must still count.
"""
from __future__ import annotations

import pytest

from conftest import CASES
from pkrsverify.front import ir
from pkrsverify.explain.trace import build_trace
from pkrsverify.symbolic.bmc import bmc
from pkrsverify.symbolic.encoding import Encoding
from pkrsverify.front.loader import load_strategy
from pkrsverify.semantics.system import System
from strategies import Case, load

P = ir.Property


def _chain(k: int) -> System:
    """Entries nest k deep and each pushes onto a stack of k - 1 entries: the k-th entry, event
    k, is the first push onto a full stack, and the path ends there (a fatal step, a dead end).
    Nothing writes, so no other property can fail."""
    model = f"""model chain "one entry that nests in itself" {{
        tasks 1; kthreads 0; cpus 1; depth {k}
        base user
        entry irq {{ from user, irq }}
    }}"""
    spec = f"""strategy chain "a stack one entry too small" {{
        model "random.model"
        storage saved : task stack {k - 1}
        on entry {{ push saved, PKRS; PKRS = INIT }}
        on exit {{ PKRS = pop saved }}
    }}"""
    return System(load(Case(model, spec)))


@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_an_overflow_at_step_k_is_found_at_k_and_refuted_below(k):
    encoding = Encoding(_chain(k))
    below = bmc(encoding, [P.NO_OVERFLOW], k - 1)
    assert below.found == {} and below.refuted == k - 1 and below.stopped == "step limit"
    at = bmc(encoding, [P.NO_OVERFLOW], k)
    found = at.found[P.NO_OVERFLOW]
    assert found.length == k
    trace = build_trace(System(encoding.system.strategy, encoding.system.bounds), found)
    assert [step.event for step in trace.steps] == ["enter irq"] * k
    assert trace.steps[-1].pkrs == "-"  # the fatal step: no state after it
    assert at.stopped == ""


@pytest.mark.parametrize("k", [2, 3])
def test_a_longer_unrolling_still_reports_the_shortest(k):
    trace = bmc(Encoding(_chain(k)), [P.NO_OVERFLOW], k + 3).found[P.NO_OVERFLOW]
    assert trace.length == k


@pytest.mark.parametrize("spec,prop,length", [
    ("thread_slot_nested_lost.spec", P.NO_LOST, 6),        # an exit, not a dead end
    ("pt_regs_two_tasks_stale.spec", P.NO_STALE, 5),       # a switch
    ("entry_without_reset_not_fresh.spec", P.FRESH, 3),    # an entry
    ("write_reloads_stale_clobbers.spec", P.NO_CLOBBER, 2),
    ("unbalanced_push_underflows.spec", P.NO_UNDERFLOW, 2),  # a fatal pop
])
def test_hand_worked_lengths_are_found_exactly_at_their_step(spec, prop, length):
    encoding = Encoding(System(load_strategy(CASES / spec)))
    assert bmc(encoding, [prop], length - 1).found == {}
    assert bmc(encoding, [prop], length).found[prop].length == length
