"""Static review figures (review.py), worked by hand from each spec's text.

Bytes: 32-bit values and a 32-bit stack index, as the 2020 thread counts
("A stack of 7 entries and an index needs 32bytes"; "Make it 15 and it's
still only 64 bytes"). MSR accesses: PKRS on the right of a statement is a
read, on the left a write; a write under `if` happens on some runs only.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CASES, SPECS
from pkrsverify.front.loader import load_strategy
from pkrsverify.analyses.review import MsrCount, review


def figures(name: str):
    return review(load_strategy(SPECS / f"{name}.spec"))


def spec_text(tmp_path: Path, body: str) -> Path:
    """A spec on the `syscall_irq` model of tests/cases (syscall, and an IRQ that may interrupt it)."""
    path = tmp_path / "s.spec"
    path.write_text(f'strategy s {{\n    model "{CASES / "syscall_irq.model"}"\n{body}\n}}\n')
    return path


@pytest.mark.parametrize("name,task,cpu,frame", [
    ("thread_struct", 4, 0, 0),        # one 32-bit slot per task
    ("stack7", 32, 0, 0),              # 7 * 4 + 4 (the index): the thread's 32 bytes
    ("stack15", 64, 0, 0),             # 15 * 4 + 4: "still only 64 bytes"
    ("idtentry_state", 0, 0, 4),       # a slot in the frames of page_fault and irq
    ("pt_regs", 0, 0, 4),
    ("pt_regs_switch", 4, 0, 4),       # the pt_regs slot and the thread_struct slot
    ("real_pt_regs", 4, 0, 4),
])
def test_bytes_of_the_threads_designs(name, task, cpu, frame):
    f = figures(name)
    assert (f.bytes_per_task, f.bytes_per_cpu, f.bytes_per_frame, f.bytes_global) == (task, cpu, frame, 0)


def test_idtentry_state_lives_only_on_the_listed_entries():
    f = figures("idtentry_state")
    assert not f.bytes_per_frame_uniform
    assert f.entry.groups == ((("page_fault", "irq"), MsrCount(1, 1, 1, 1)),
                              (("syscall", "nmi", "mce"), MsrCount()))
    assert f.entry.describe() == "1r 1w on page_fault, irq; none on syscall, nmi, mce"
    assert f.exit.worst == MsrCount(0, 0, 1, 1)


@pytest.mark.parametrize("name,entry,exit_,switch", [
    ("thread_struct", "1r 1w", "0r 1w", "0r 0w"),   # save PKRS, load INIT; restore
    ("stack7", "1r 1w", "0r 1w", "0r 0w"),           # push PKRS, load INIT; pop into PKRS
    ("pt_regs", "1r 1w", "0r 1w", "0r 0w"),
    ("pt_regs_switch", "1r 1w", "0r 1w", "1r 1w"),   # switch_out reads, switch_in writes
    ("real_pt_regs", "1r 1w", "0r 1w", "1r 1w"),
])
def test_msr_accesses_per_event(name, entry, exit_, switch):
    f = figures(name)
    assert (f.entry.describe(), f.exit.describe(), f.switch.describe()) == (entry, exit_, switch)
    assert f.write.worst == MsrCount()


def test_a_write_under_if_counts_as_conditional():
    f = review(load_strategy(CASES / "write_avoidance_holds.spec"))
    # on entry { regs.pkrs = PKRS; if PKRS != INIT { PKRS = INIT } }: two reads, a write on some runs
    assert f.entry.worst == MsrCount(2, 2, 0, 1) and f.entry.describe() == "2r 0-1w"
    assert f.exit.describe() == "1r 0-1w"      # if PKRS != regs.pkrs { PKRS = regs.pkrs }
    assert f.switch.describe() == "2r 0-1w"    # thread.pkrs = PKRS, then the guarded load
    assert f.entry.worst.conditional and not figures("pt_regs").entry.worst.conditional


def test_if_else_counts_from_the_cheaper_branch_to_the_dearer(tmp_path):
    path = spec_text(tmp_path, """    storage t : task
    on entry { t = PKRS; if PKRS == INIT { t = INIT } else { PKRS = INIT; PKRS = t } }
    on exit { PKRS = t }""")
    f = review(load_strategy(path))
    assert f.entry.worst == MsrCount(2, 2, 0, 2)


def test_cpu_stack_and_global_storage(tmp_path):
    path = spec_text(tmp_path, """    storage c : cpu stack 3
    storage g : global
    on entry { push c, PKRS; g = PKRS; PKRS = INIT }
    on exit { PKRS = pop c }""")
    f = review(load_strategy(path))
    assert (f.bytes_per_task, f.bytes_per_cpu, f.bytes_global, f.bytes_per_frame) == (0, 16, 4, 0)
    assert [(s.name, s.place, s.bytes, s.per) for s in f.storages] == [
        ("c", "cpu stack 3", 16, "cpu"), ("g", "global", 4, "system")]
    assert f.entry.describe() == "2r 1w"
    assert not f.findable and "per-CPU stack" in f.findable_why and "a global" in f.findable_why


@pytest.mark.parametrize("name,changes", [
    ("pt_regs", True), ("pt_regs_switch", True),    # a slot `in pt_regs`: BPF and ptrace see the layout
    ("real_pt_regs", False),                        # beside it: struct pt_regs keeps its layout
    ("thread_struct", False), ("stack7", False), ("idtentry_state", False),
])
def test_pt_regs_layout(name, changes):
    assert figures(name).pt_regs_layout_changes is changes


@pytest.mark.parametrize("name,findable,reason", [
    ("pt_regs", True, "regs->pkrs"),
    ("pt_regs_switch", True, "regs->pkrs"),
    ("real_pt_regs", True, "container_of"),
    ("thread_struct", False, "thread_struct"),
    ("stack7", False, "per-task stack"),
    ("stack15", False, "per-task stack"),
    ("idtentry_state", False, "idtentry state"),
])
def test_found_from_pt_regs_by_the_unwinder_and_the_fault_handler(name, findable, reason):
    f = figures(name)
    assert f.findable is findable and reason in f.findable_why


def test_an_entry_that_saves_nothing_leaves_nothing_to_find():
    f = figures("idtentry_state")
    assert "syscall, nmi, mce save nothing" in f.findable_why


def test_a_pt_regs_slot_on_some_entries_only_is_not_findable(tmp_path):
    path = spec_text(tmp_path, """    storage r : frame in pt_regs
    on entry(irq) { r = PKRS; PKRS = INIT }
    on exit(irq) { PKRS = r }""")
    f = review(load_strategy(path))
    assert not f.findable and "syscall saves nothing" in f.findable_why
    assert f.pt_regs_layout_changes


def test_a_spec_about_several_registers_gets_the_msr_figures_of_each(tmp_path):
    """Each register's share: PKRS saved in pt_regs and reset (1r 1w on entry), DR7 reset only (0r 1w),
    and the totals their sum; a spec about one register has no breakdown."""
    from pkrsverify.analyses.review import review
    from pkrsverify.front.loader import load_strategy
    spec = tmp_path / "two.spec"
    spec.write_text("strategy two {\n    model x86_64\n    register PKRS\n    register DR7 { supervisor }\n"
                    "    storage regs.pkrs : frame in pt_regs\n"
                    "    on entry { regs.pkrs = PKRS; PKRS = INIT; DR7 = INIT }\n    on exit { PKRS = regs.pkrs }\n}\n")
    figures = review(load_strategy(spec))
    assert [c.describe() for c in figures.per_register] == [
        "PKRS: entry 1r 1w, exit 0r 1w, switch 0r 0w", "DR7: entry 0r 1w, exit 0r 0w, switch 0r 0w"]
    assert figures.entry.worst.describe() == "1r 2w"
    assert review(load_strategy(SPECS / "pt_regs_switch.spec")).per_register == ()
