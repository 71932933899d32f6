"""The built-in x86-64 model against docs/kernel-facts.md §1: what nests in what, and how deep.

§1.3: the deepest bare-metal chain is 8: syscall, #PF, IRQ, IRQ through
softirq, #PF, NMI, #PF, #MC. §1.4: interrupts stay off above an IRQ, NMI or
#MC frame (an atomic #PF there does not turn them on), so no IRQ nests on a
#PF taken in NMI or IRQ context, which the model says with `masks irq`.
"""
from __future__ import annotations

import pytest

from conftest import SPECS, run_cli
from pkrsverify.analyses.sizing import size
from pkrsverify.front.loader import load_strategy
from pkrsverify.semantics.events import Action, Event
from pkrsverify.semantics.system import ReplayError, System, replay

KINDS = {k.name: k.index for k in load_strategy(SPECS / "stack7.spec").model.kinds}


def _entries(*names: str) -> list[Event]:
    return [Event(Action.ENTER, 0, 0, KINDS[name]) for name in names]


def _system() -> System:
    return System(load_strategy(SPECS / "stack15.spec"))


def test_the_deepest_chain_of_kernel_facts_is_a_path_of_the_model():
    path = replay(_system(), _entries("syscall", "page_fault", "irq", "irq", "page_fault", "nmi", "page_fault",
                                      "mce"))
    assert _system().nesting(path[-1].step.state) == 8


@pytest.mark.parametrize("chain", [
    ("syscall", "page_fault", "nmi", "page_fault", "irq"),    # an IRQ on a #PF taken in NMI context
    ("syscall", "page_fault", "irq", "page_fault", "irq"),    # an IRQ on an atomic #PF in IRQ context
    ("syscall", "irq", "nmi", "irq"),                          # the `from` list already says no
    ("syscall", "irq", "irq", "irq"),                          # only softirq lets one IRQ nest on another, once
])
def test_no_interrupt_arrives_where_interrupts_are_off(chain):
    with pytest.raises(ReplayError):
        replay(_system(), _entries(*chain))


def test_stack7_still_overflows_at_the_8th_entry_and_8_is_what_the_model_needs():
    strategy = load_strategy(SPECS / "stack7.spec")
    (need,) = size(strategy).stacks
    assert need.needed == 8 and need.overflow.length == 8
    kinds = [strategy.model.kinds[e.kind].name for e in need.overflow.events]
    assert kinds == ["syscall", "page_fault", "irq", "irq", "page_fault", "nmi", "page_fault", "mce"]


def test_masks_names_only_kinds_of_the_model(tmp_path):
    (tmp_path / "m.model").write_text("model m {\n    base user\n    entry syscall { from user; masks irqs }\n}\n")
    (tmp_path / "s.spec").write_text('strategy s {\n    model "m.model"\n}\n')
    code, _, err = run_cli("check", str(tmp_path / "s.spec"))
    assert code == 2 and "error[E105]" in err and "`masks` names `irqs`" in err
