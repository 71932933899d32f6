"""Hypothesis strategies: random small models and strategy specs, as TEXT.

A generated case is a model file and a spec file, written in the language
of docs/language.md and run through the normal pipeline (parse, analyze), so
the parser and the static checks are exercised too, and a failing case is
printed as something one can paste into a file and run by hand.

What is covered, so that an engine that diverges from docs/semantics.md has
somewhere to show it:

- models: 1-3 entry kinds with random `from` lists (bases, entries, `any`),
  `max`, `writes`, `sleeps` or `atomic`, `preempt_on_exit`; bases `user`
  and `kthread` (with or without `writes`/`sleeps`); 1-2 tasks (user tasks
  and kthreads), 1-2 CPUs, depth 1-3;
- specs: 1-3 storages on every place (`task`, `task stack N`, `cpu`,
  `cpu stack N`, `global`, `frame in pt_regs`, `frame beside pt_regs`,
  `frame in idtentry_state only(...)`); handlers on every hook, `on entry`
  and `on exit` with and without kind lists; statements of every form
  (`X = Y` between PKRS, INIT and cells, `push`, `pop`, `if ==`/`if !=` with
  and without `else`), only where the static rules allow them;
- with `registers=True` (issue 10's language): models declaring registers
  R1 and R2 that entries `deliver` and `read`, entries `in_windows`; specs
  about one to three of PKRS, R1, R2 and a register R3 of their own
  (`supervisor`, `fresh in ...`), storage `frame local` and `cpu shadows
  R`, `on write(R)`, statements on every register, `read R` and `window` /
  `window(K)` at the top of entry and exit handlers.

Use `cases()` for (model_text, spec_text) pairs and `load(case)` for the
checked ir.Strategy. Every generated case passes the static checks; one that
does not is a bug in this module (or in analyze.py), and `load` says which.
"""
from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from dataclasses import dataclass

from hypothesis import strategies as st

from pkrsverify.front import ir
from pkrsverify.front.analyze import analyze_model, analyze_strategy
from pkrsverify.front.parser import parse
from pkrsverify.front.source import SourceFile

KIND_NAMES = ("syscall", "irq", "nmi")
FLAGS = ("writes", "sleeps", "atomic", "preempt_on_exit")
MODEL_REGISTERS = ("R1", "R2")
PLACES = ("task", "task stack", "cpu", "cpu stack", "global", "frame in pt_regs", "frame beside pt_regs",
          "frame in idtentry_state")


@dataclass(frozen=True)
class Case:
    model: str   # the text of a .model file
    spec: str    # the text of a .spec file naming it (`model "random.model"`)

    def __str__(self) -> str:  # how hypothesis shows a falsifying example
        return f"\n# random.model\n{self.model}\n# random.spec\n{self.spec}"


@dataclass(frozen=True)
class _Entry:
    name: str
    interrupts: tuple[str, ...]   # `from` list ("any" alone, or kind names)
    max_frames: int | None
    flags: tuple[str, ...]
    delivers: str | None = None   # a model register its delivery writes
    reads: str | None = None      # a model register its handler reads


@dataclass(frozen=True)
class _Storage:
    name: str
    place: str
    size: int            # stacks
    only: tuple[str, ...]  # idtentry_state
    shadows: str | None = None  # `cpu shadows R`

    @property
    def is_stack(self) -> bool:
        return self.place.endswith("stack")

    @property
    def is_frame(self) -> bool:
        return self.place.startswith("frame")

    def declaration(self) -> str:
        if self.is_stack:
            return f"storage {self.name} : {self.place} {self.size}"
        if self.place == "frame in idtentry_state":
            return f"storage {self.name} : {self.place} only({', '.join(self.only)})"
        if self.shadows is not None:
            return f"storage {self.name} : cpu shadows {self.shadows}"
        return f"storage {self.name} : {self.place}"


@st.composite
def models(draw, max_tasks: int = 2, max_cpus: int = 2, max_depth: int = 3,
           max_kinds: int = 3, registers: bool = False) -> tuple[str, tuple[_Entry, ...]]:
    """A model's text, and its entry kinds (what specs may name)."""
    tasks = draw(st.integers(0, max_tasks))
    kthreads = draw(st.integers(0 if tasks else 1, max_tasks - tasks))
    cpus = draw(st.integers(1, max_cpus))
    depth = draw(st.integers(1, max_depth))
    bases = (["user"] if tasks or draw(st.booleans()) else []) + (["kthread"] if kthreads else [])
    names = list(KIND_NAMES[:draw(st.integers(1, min(max_kinds, len(KIND_NAMES))))])
    entries = []
    for name in names:
        if draw(st.integers(0, 4)) == 0:
            interrupts = ("any",)
        else:
            interrupts = tuple(draw(st.lists(st.sampled_from(bases + names), min_size=1, max_size=3, unique=True)))
        max_frames = draw(st.none() | st.integers(1, 2))
        flags = [f for f in FLAGS if draw(st.booleans())]
        if "atomic" in flags and "sleeps" in flags:
            flags.remove(draw(st.sampled_from(["atomic", "sleeps"])))
        delivers = reads = None
        if registers:
            flags += ["in_windows"] * draw(st.booleans())
            delivers = draw(st.none() | st.sampled_from(MODEL_REGISTERS))
            reads = draw(st.none() | st.sampled_from(MODEL_REGISTERS))
        entries.append(_Entry(name, interrupts, max_frames, tuple(flags), delivers, reads))
    lines = ["model random \"a random small model\" {",
             f"    tasks {tasks}", f"    kthreads {kthreads}", f"    cpus {cpus}", f"    depth {depth}"]
    if "user" in bases:
        lines.append("    base user")
    if "kthread" in bases:
        kflags = [f for f in ("writes", "sleeps") if draw(st.booleans())]
        lines.append("    base kthread" + (f" {{ {'; '.join(kflags)} }}" if kflags else ""))
    for entry in entries:
        attributes = [f"from {', '.join(entry.interrupts)}"]
        if entry.max_frames is not None:
            attributes.append(f"max {entry.max_frames}")
        attributes += entry.flags
        attributes += [f"delivers {entry.delivers}"] * (entry.delivers is not None)
        attributes += [f"reads {entry.reads}"] * (entry.reads is not None)
        lines.append(f"    entry {entry.name} {{ {'; '.join(attributes)} }}")
    if registers:
        lines += [f"    register {r}" for r in MODEL_REGISTERS]
    lines.append("}")
    return "\n".join(lines) + "\n", tuple(entries)


@st.composite
def _storages(draw, kinds: tuple[str, ...], max_storages: int, registers: tuple[str, ...] = ()) -> tuple[_Storage, ...]:
    count = draw(st.integers(1, max_storages))
    places = PLACES + (("frame local", "cpu shadows") if registers else ())
    out = []
    for i in range(count):
        place = draw(st.sampled_from(places))
        size = draw(st.integers(1, 3))
        only = tuple(draw(st.lists(st.sampled_from(kinds), min_size=1, unique=True))) \
            if place == "frame in idtentry_state" else ()
        shadows = draw(st.sampled_from(registers)) if place == "cpu shadows" else None
        out.append(_Storage(f"s{i}.{place.split()[-1]}", "cpu" if shadows else place, size,
                            tuple(sorted(only, key=kinds.index)), shadows))
    return tuple(out)


def _statements(draw, storages, frame_kinds: frozenset[str] | None, nesting: int = 0,
                registers: tuple[str, ...] = ("PKRS",)) -> list[str]:
    """Statements valid in a handler whose frame (if any) is one of `frame_kinds`."""
    usable = [s for s in storages if not s.is_frame or (
        frame_kinds is not None and frame_kinds and (s.place != "frame in idtentry_state" or frame_kinds <= set(s.only)))]
    cells = [s.name for s in usable if not s.is_stack]
    stacks = [s.name for s in usable if s.is_stack]
    values = [*registers, "INIT"] + cells
    targets = [*registers] + cells
    forms = ["assign"] + (["push", "pop"] if stacks else []) + (["if"] if nesting < 2 else [])
    out = []
    for _ in range(draw(st.integers(0, 3))):
        form = draw(st.sampled_from(forms))
        if form == "assign":
            out.append(f"{draw(st.sampled_from(targets))} = {draw(st.sampled_from(values))}")
        elif form == "push":
            out.append(f"push {draw(st.sampled_from(stacks))}, {draw(st.sampled_from(values))}")
        elif form == "pop":
            out.append(f"{draw(st.sampled_from(targets))} = pop {draw(st.sampled_from(stacks))}")
        else:
            left, right = draw(st.sampled_from(values)), draw(st.sampled_from(values))
            compare = draw(st.sampled_from(["==", "!="]))
            then = _statements(draw, storages, frame_kinds, nesting + 1, registers)
            text = f"if {left} {compare} {right} {{ {'; '.join(then)} }}"
            if draw(st.booleans()):
                text += f" else {{ {'; '.join(_statements(draw, storages, frame_kinds, nesting + 1, registers))} }}"
            out.append(text)
    return out


@st.composite
def specs(draw, entries: tuple[_Entry, ...], max_storages: int = 3, registers: bool = False) -> str:
    """A strategy spec for a model with these entry kinds (model file `random.model`)."""
    kinds = tuple(e.name for e in entries)
    lines = ['strategy random "a random strategy" {', '    model "random.model"']
    tracked = ("PKRS",)
    if registers:
        tracked = tuple(draw(st.lists(st.sampled_from(("PKRS", "R3") + MODEL_REGISTERS), min_size=1, max_size=3,
                                      unique=True)))
        for r in tracked:
            if r == "R3":
                attributes = ["supervisor"] * draw(st.booleans())
                fresh = draw(st.lists(st.sampled_from(kinds + ("any",)), max_size=2, unique=True))
                attributes += [f"fresh in {', '.join(fresh)}"] if fresh else []
                lines.append(f"    register R3 {{ {'; '.join(attributes)} }}")
            else:
                lines.append(f"    register {r}")
    storages = draw(_storages(kinds, max_storages, tracked if registers else ()))
    lines += [f"    {s.declaration()}" for s in storages]
    by_name = {e.name: e for e in entries}
    for hook in ("entry", "exit"):
        # Some kinds get their own handler (each kind named at most once), the rest the general one.
        named = draw(st.lists(st.sampled_from(kinds), unique=True, max_size=len(kinds)))
        groups, rest = [], list(named)
        while rest:
            size = draw(st.integers(1, len(rest)))
            groups.append(rest[:size])
            rest = rest[size:]
        unnamed = [k for k in kinds if k not in named]
        if unnamed and draw(st.booleans()):
            groups.append(None)
        for group in groups:
            frame = frozenset(group if group is not None else unnamed)
            body = _statements(draw, storages, frame, registers=tracked)
            if registers:
                body = _points(draw, body, hook, [by_name[k] for k in frame], tracked, kinds)
            head = f"on {hook}({', '.join(group)})" if group is not None else f"on {hook}"
            lines.append(f"    {head} {{ {'; '.join(body)} }}")
    for hook in ("switch_out", "switch_in", "write"):
        if draw(st.booleans()):
            lines.append(f"    on {hook} {{ {'; '.join(_statements(draw, storages, None, registers=tracked))} }}")
    software = [r for r in tracked if r in ("PKRS", "R3") or not any(e.delivers == r for e in entries)]
    if registers and software and draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(software), min_size=1, unique=True))
        lines.append(f"    on write({', '.join(chosen)}) {{ "
                     f"{'; '.join(_statements(draw, storages, None, registers=tracked))} }}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _points(draw, body: list[str], hook: str, frame: list[_Entry], tracked, kinds) -> list[str]:
    """`read R` (entry handlers, for a register every kind of the frame reads) and windows, put at random
    places among a handler's own statements."""
    out = list(body)
    readable = [r for r in tracked if frame and all(e.reads == r for e in frame)]
    if hook == "entry" and readable and draw(st.booleans()):
        out.insert(draw(st.integers(0, len(out))), f"read {readable[0]}")
    for _ in range(draw(st.integers(0, 2))):
        raised = draw(st.lists(st.sampled_from(kinds), max_size=1))
        window = f"window({raised[0]})" if raised else "window"
        out.insert(draw(st.integers(0, len(out))), window)
    return out


@st.composite
def cases(draw, max_tasks: int = 2, max_cpus: int = 2, max_depth: int = 3, max_kinds: int = 3,
          max_storages: int = 3, registers: bool = False) -> Case:
    """A model and a spec for it. The defaults are the largest the agreement tests use; smaller
    maxima give cheaper cases (the default test run uses them). `registers`: the language of several
    registers, windows and reads too."""
    model, entries = draw(models(max_tasks, max_cpus, max_depth, max_kinds, registers))
    return Case(model, draw(specs(entries, max_storages, registers)))


def load(case: Case) -> ir.Strategy:
    """The checked strategy of a case, through parse and analyze like any file."""
    model_tree = parse(SourceFile("random.model", case.model))
    model = analyze_model(model_tree)
    spec_tree = parse(SourceFile("random.spec", case.spec))
    return analyze_strategy(spec_tree, model)


@contextlib.contextmanager
def written(case: Case, max_states: int = 20_000):
    """The case as files in a temporary folder (for what loads specs from disk: mutants, repairs): the
    spec's path, or None when it has more than `max_states` states, too many for a quick complete search
    of each variant (a spec has up to a hundred variants, and a variant can have many more states)."""
    from pkrsverify.explicit.engine import check
    from pkrsverify.explicit.search import Limits
    from pkrsverify.front.loader import load_strategy
    from pkrsverify.result import StopReason
    from pkrsverify.semantics.system import System
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "random.model").write_text(case.model)
        spec = Path(folder, "random.spec")
        spec.write_text(case.spec)
        small = check(System(load_strategy(spec)), limits=Limits(max_states=max_states)).stop is not StopReason.STATE_LIMIT
        yield spec if small else None


__all__ = ["Case", "cases", "models", "specs", "load", "written"]
