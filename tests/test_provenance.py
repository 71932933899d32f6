"""Counterexamples that explain themselves (explain/provenance.py, explain/stories.py).

The culprit sentences below were worked by hand from each case's header
comment (tests/cases/) and the spec lines they cite; the traces come from
the engine.
"""
from __future__ import annotations


import pytest

from conftest import CASES, SPECS
from pkrsverify.front import ir
from pkrsverify.explicit.engine import check
from pkrsverify.front.loader import load_strategy, with_bounds
from pkrsverify.explain.provenance import Recorder
from pkrsverify.result import Verdict
from pkrsverify.semantics.system import System
from pkrsverify.explain.trace import explain, explain_one
from pkrsverify.explain.words import storage_values
from pkrsverify.semantics.system import replay

P = ir.Property


def violation(path, prop: ir.Property, **bounds):
    strategy = with_bounds(load_strategy(path), **bounds)
    system = System(strategy)
    result = check(system, properties=(prop,))
    found = result.result_for(prop)
    assert found.verdict is Verdict.VIOLATED
    return system, explain_one(strategy, system.bounds, found).trace


def test_a_nested_entry_overwrites_the_saved_slot():
    """The issue's example: the irq saves, the nmi inside it overwrites by the same statement.

    Two shortest orders exist (the syscall writes before or after the irq
    enters); the case's header comment works out both.
    """
    _, trace = violation(CASES / "thread_slot_nested_lost.spec", P.NO_LOST)
    irq_first = ("step 2, the irq entry, saved INIT in thread.saved_pkrs[task 0] (line 31); step 4, the nmi "
                 "entry, overwrote it with v1 by the same statement; step 6, the irq exit, restored v1 to the "
                 "syscall, which expected INIT")
    write_first = ("step 3, the irq entry, saved v1 in thread.saved_pkrs[task 0] (line 31); step 4, the nmi "
                   "entry, overwrote it with INIT by the same statement; step 6, the irq exit, restored INIT to "
                   "the syscall, which expected v1")
    assert trace.culprit in (irq_first, write_first)
    roles = [(b.role, b.step, b.location.line) for b in trace.blame]
    saved = 2 if trace.culprit == irq_first else 3
    assert roles == [("overwrote", 4, 31), ("saved", saved, 31), ("restored", 6, 32)]
    assert trace.location.text == "thread.saved_pkrs = PKRS"  # SARIF points at the overwriting save


def test_an_entry_with_no_handler_leaves_the_interrupted_value():
    _, trace = violation(SPECS / "idtentry_state.spec", P.FRESH)
    assert trace.culprit == ("step 3, task 0's nmi entry, left PKRS alone (no `on entry` applies to nmi), "
                             "so the nmi starts with v1, written at step 2 by task 0's write in the syscall")
    missing = trace.blame[0]
    assert missing.role == "missing" and missing.location.line == 9  # the handler that leaves nmi out
    assert missing.location.text.startswith("on entry(page_fault, irq)")


def test_a_lost_value_that_was_never_saved():
    _, trace = violation(SPECS / "idtentry_state.spec", P.NO_LOST)
    assert [s.event for s in trace.steps] == ["enter syscall", "enter nmi", "write v1", "exit nmi"]
    assert trace.culprit.endswith("instead of the INIT it had; step 2, task 0's nmi entry, had saved nothing")


def test_stale_after_a_switch_blames_the_missing_switch_out():
    _, trace = violation(SPECS / "pt_regs.spec", P.NO_STALE)
    assert trace.culprit.startswith("task 0 left with v1 at step 3 and nothing kept it across the switch")
    assert "put there at step 4 by task 1's syscall entry (line 11)" in trace.culprit
    assert trace.blame[0].role == "missing" and trace.blame[0].location.text.startswith("strategy pt_regs")


def test_overflow_counts_the_pushes_nobody_popped():
    _, trace = violation(SPECS / "stack7.spec", P.NO_OVERFLOW)
    assert trace.culprit == ("steps 1, 2, 3, 4, 5, 6, 7 pushed onto thread.pkrs_stack[task 0] (line 9) and "
                             "nothing popped; step 8, task 0's mce entry, found all 7 entries taken (line 9)")
    assert trace.location.text == "push thread.pkrs_stack, PKRS"


def test_underflow_names_the_entry_that_pushed_nothing():
    _, trace = violation(CASES / "unbalanced_push_underflows.spec", P.NO_UNDERFLOW)
    assert trace.culprit == ("step 2, the irq exit, popped from thread.pkrs_stack[task 0] (line 37), which was "
                             "empty: nothing had been pushed onto it; step 1, the irq entry, pushed nothing")


def test_a_clobber_names_the_on_write_statement():
    _, trace = violation(CASES / "write_reloads_stale_clobbers.spec", P.NO_CLOBBER)
    assert trace.culprit.startswith("step 2's `on write` set PKRS to INIT (line 30) from thread.pkrs[task 0]")
    assert trace.blame[0].role == "restored" and trace.blame[0].location.line == 30


def test_a_migrated_task_reads_another_cpus_slot():
    _, trace = violation(CASES / "cpu_slot_migration.spec", P.NO_LOST)
    assert "from cpu.saved_pkrs[cpu 1]" in trace.culprit
    assert "had saved it in cpu.saved_pkrs[cpu 0]" in trace.culprit


@pytest.mark.parametrize("spec", sorted(CASES.glob("*.spec")), ids=lambda p: p.stem)
def test_every_counterexample_has_a_culprit_and_its_steps_their_old_values(spec):
    strategy = load_strategy(spec)
    system = System(strategy)
    result = explain(strategy, check(system))
    for prop in result.properties:
        if prop.trace is None:
            continue
        trace = prop.trace
        assert trace.culprit and trace.blame, prop.property
        assert trace.location is not None and trace.location.path == str(spec)
        path = replay(system, trace.events)
        for step, replayed in zip(trace.steps, path):
            old = storage_values(system, replayed.before)
            assert step.previous == tuple(old.get(name, "") for name, _ in step.changes)
            assert all(old.get(name) != new for name, new in step.changes)  # only what changed
            assert step.state, "every step carries its full state"


def test_the_recorder_sees_every_value_a_step_changes():
    """Provenance watches the reference interpreter run the trace: every value that changes in a
    step is a write the recorder saw in that step, with the value the state ends the step with."""
    system, trace = violation(CASES / "thread_slot_nested_lost.spec", P.NO_LOST)
    recorder = Recorder(system, trace.events)
    path = replay(system, trace.events, recorder.at)
    start = system.layout.values_start
    for number, replayed in enumerate(path, 1):
        after = replayed.step.state
        changed = {p for p in range(start, len(after)) if after[p] != replayed.before[p]}
        last = {w.position: w.value for w in recorder.rec.writes if w.step == number}
        assert changed <= set(last), (number, changed - set(last))
        assert all(after[p] == value for p, value in last.items()), number


def test_a_save_from_the_cache_and_a_guarded_restore_are_told_as_they_are(tmp_path):
    """A per-task slot saved from the per-CPU cache, restored only where the cache differs: the culprit says
    the entry saved the value (from the cache, no RDMSR) and the exit's write sat under an `if` not taken,
    rather than "saved nothing" and "does not set PKRS"."""
    spec = tmp_path / "cached.spec"
    spec.write_text("""strategy cached {
    model x86_64
    storage saved.pkrs : task
    storage thread.pkrs : task
    storage pkrs_cache : cpu shadows PKRS
    on write { pkrs_cache = PKRS }
    on entry { saved.pkrs = pkrs_cache; if pkrs_cache != INIT { PKRS = INIT; pkrs_cache = INIT } }
    on exit { if pkrs_cache != saved.pkrs { PKRS = saved.pkrs; pkrs_cache = saved.pkrs } }
    on switch_out { thread.pkrs = pkrs_cache }
    on switch_in { if pkrs_cache != thread.pkrs { PKRS = thread.pkrs; pkrs_cache = thread.pkrs } }
}
""")
    _, trace = violation(spec, ir.Property("no_lost"))
    assert "had saved it in saved.pkrs[task 0] (line 7)" in trace.culprit
    assert "sets PKRS only inside an `if`, whose branch was not taken here" in trace.culprit
    assert "saved nothing" not in trace.culprit and "does not set" not in trace.culprit
