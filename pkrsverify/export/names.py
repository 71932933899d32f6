"""Promela names for a strategy's kinds, storage and handlers.

The spec's names are kept where they can be (`thread.pkrs` becomes the
field `thread_pkrs`, `page_fault` the constant PAGE_FAULT and the inline
`enter_page_fault`), and renamed where they would collide with a Promela or
C keyword or with a name the generated model uses itself (a storage named
`pkrs` becomes `pkrs_`, a kind named `init` becomes INIT_KIND).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..front import ir

PROMELA_WORDS = frozenset("""
    active assert atomic bit bool break byte chan d_step D_proctype do else empty enabled eval false fi for full
    get_priority goto hidden if in init inline int len local ltl mtype nempty never nfull np_ od of pc_value
    print printf printm priority proctype provided run select set_priority short show skip timeout trace notrace
    true typedef unless unsigned xr xs c_code c_decl c_expr c_state c_track always eventually until weak stronger
    implies equivalent auto case char const continue default double enum extern float long register restrict
    return signed sizeof static struct switch union void volatile while now
""".split())
# Names the generated model uses itself: storage fields and kind constants must not collide with them.
OWN_NAMES = frozenset("""
    task cpu globals halted fatal kernel top kind phase frames_of left_with interrupted delivered running pkrs
    t c u k K f boot halt canonicalize push_frame pop_frame top_kind runs in_body ready no_atomic_below
    atomic_frames is_atomic user_mode writes sleeps preempt_on_exit may_write may_schedule may_preempt may_exit
    write_pkrs schedule_to_task schedule_to_idle preempt_to_task preempt_to_idle dispatch_task finish
    may_write_pkrs may_schedule_to_task may_schedule_to_idle may_preempt_to_task may_preempt_to_idle
    rename_value canonical_name canonical_next
""".split()) | {kind.value for kind in ir.PropertyKind}
OWN_CONSTANTS = frozenset("NTASKS CPUS DEPTH IDLE INIT FRESH UNNAMED NKINDS".split())


def identifier(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def flag(prop: ir.Property) -> str:
    """The one-bit flag of a property, which pan names when it is violated: `no_lost`, `no_lost_CR2`,
    `shadow_this_cpu_pkrs_cache` (names.py keeps storage fields from colliding with them)."""
    return identifier(prop.value.replace("]", ""))


def comment(text: str) -> str:
    """Text fit for a /* comment */ on one line."""
    return " ".join(text.split()).replace("*/", "* /")


def _unique(preferred: str, taken: set[str], suffix: str) -> str:
    name = preferred
    while name in taken:
        name += suffix
    taken.add(name)
    return name


@dataclass(frozen=True, slots=True)
class Names:
    kind: tuple[str, ...]      # per kind index: the #define constant (PAGE_FAULT)
    kind_id: tuple[str, ...]   # per kind index: in inline and macro names (enter_page_fault)
    field: tuple[str, ...]     # per storage index: the field (a stack's index is FIELD_index)
    handler: tuple[str, ...]   # per handler of the strategy, in order: its inline (on_entry_page_fault_irq)
    register: tuple[str, ...] = ()  # per register: its field in Cpu, and the suffix of its ghosts (pkrs, cr2)


def names_for(strategy: ir.Strategy) -> Names:
    model = strategy.model
    taken = set(OWN_CONSTANTS)
    kind = tuple(_unique(identifier(k.name).upper(), taken, "_KIND") for k in model.kinds)
    taken = set(PROMELA_WORDS | OWN_NAMES) | {f"{prefix}{k.lower()}" for k in kind
                                               for prefix in ("enter_", "exit_", "may_enter_", "may_exit_")}
    registers = tuple("pkrs" if r.name == ir.PKRS else _unique(identifier(r.name.lower()), taken, "_")
                      for r in strategy.registers)
    for r in registers:
        taken |= {r, f"left_with_{r}", f"interrupted_{r}", f"delivered_{r}", f"write_{r}", f"may_write_{r}"}
    taken |= {flag(p) for p in strategy.properties}
    fields = []
    for storage in strategy.storages:
        name = _unique(identifier(storage.name), taken, "_")
        if storage.place.is_stack:
            while name + "_index" in taken:
                name = _unique(name + "_", taken, "_")
            taken.add(name + "_index")
        fields.append(name)
    handlers = []
    for handler in strategy.handlers:
        kinds = "" if handler.kinds is None else "_" + "_".join(
            identifier(k.name) for k in model.kinds if k.index in handler.kinds)
        handlers.append(_unique(f"on_{handler.hook.value}{kinds}", taken, "_"))
    return Names(kind, tuple(k.lower() for k in kind), tuple(fields), tuple(handlers), registers)
