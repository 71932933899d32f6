"""The transition system of docs/semantics.md as a Promela model for SPIN.

`promela(strategy, bounds, properties)` returns the text of one model that
follows system.py step for step, so that someone who trusts SPIN can check
a verdict without trusting pkrsverify:

- one process, one `do` loop; every event (enter K, write, exit, schedule,
  preempt, dispatch) for every task and CPU is one option `d_step { guard ->
  effect }`, so one SPIN transition is one event and pan's BFS depth counts
  events, like our counterexample lengths;
- the state is the one of layout.py (who runs where, each task's frames,
  every storage cell, the ghosts), and every step ends by renaming values
  canonically (embedded C, the same order as `layout.canonical`), so that the
  states SPIN stores are exactly the canonical states our engine stores;
- each property is a one-bit flag named after it, set, asserted and reset to
  1 inside the step (so it never tells two states apart): pan reports
  "assertion violated no_lost (at depth D)", D being the number of events of
  a shortest violation under BFS;
- a fatal push or pop records its violation and ends the path: the step
  goes to one `halted` state in which nothing is enabled.

Beyond our states SPIN stores the state before `boot()` (one more), and the
`halted` state when some path ends at a fatal push or pop (one more).
"""
from __future__ import annotations

from ..front import ir
from ..semantics import events as ev
from ..semantics.layout import build_layout
from .actions import Actions
from .names import comment, flag, names_for

P = ir.Property
UNNAMED = 255       # canonical renaming: a value not met yet
MAX_VALUE_SLOTS = 253  # values are bytes: INIT, 1..slots, FRESH = slots + 1 and UNNAMED must fit


class ExportError(ValueError):
    """The strategy cannot be written at these bounds (too many values for a byte)."""


def promela(strategy: ir.Strategy, bounds: ir.Bounds | None = None,
            properties: tuple[ir.Property, ...] | None = None, source: str = "") -> str:
    """The Promela model of `strategy` at `bounds`, asserting `properties` (default: the spec's)."""
    return _Writer(strategy, bounds or strategy.bounds, tuple(properties or strategy.properties), source).text()


class _Writer:
    def __init__(self, strategy: ir.Strategy, bounds: ir.Bounds, properties, source: str):
        self.strategy, self.bounds, self.source = strategy, bounds, source
        self.model = strategy.model
        self.asserted = set(properties)
        self.ntasks = bounds.tasks + bounds.kthreads
        self.table = ev.table(strategy)
        layout = build_layout(strategy, bounds, self.table.phases.count)
        self.value_slots = layout.size - layout.values_start
        if self.value_slots > MAX_VALUE_SLOTS:
            raise ExportError(f"{self.value_slots} value slots at {bounds.describe()}; the Promela export keeps "
                              f"values in bytes and handles at most {MAX_VALUE_SLOTS}")
        self.names = names_for(strategy)
        self.kind, self.kind_id, self.field = self.names.kind, self.names.kind_id, self.names.field
        self.actions = Actions(strategy, self.names, frozenset(self.asserted))
        self.properties = tuple(dict.fromkeys(strategy.properties + ev.checked_properties(self.table)))
        self.registers = strategy.registers
        self.lines: list[str] = []

    # ---- output helpers ----------------------------------------------------------------

    def emit(self, *lines: str) -> None:
        self.lines.extend(lines)

    def text(self) -> str:
        for part in (self.header, self.constants, self.state, self.renaming, self.frames, self.handlers,
                     self.events, self.process):
            part()
            self.emit("")
        return "\n".join(self.lines).rstrip() + "\n"

    def kinds_where(self, test, var: str = "k") -> str:
        terms = [f"({var}) == {self.kind[k.index]}" for k in self.model.kinds if test(k)]
        return "(" + " || ".join(terms) + ")" if terms else "false"

    # ---- sections ----------------------------------------------------------------------------

    def header(self) -> None:
        s, b = self.strategy, self.bounds
        flags = "-O2 -DSAFETY -DBFS -DCOLLAPSE"
        self.emit("/*",
                  f" * {s.name}: {comment(s.description or '')}",
                  f" * Strategy {s.name}{' (' + comment(self.source) + ')' if self.source else ''} on model "
                  f"{self.model.name}, at tasks={b.tasks} kthreads={b.kthreads} cpus={b.cpus} depth={b.depth}.",
                  " * Written by `pkrsverify export --promela`: the execution model of docs/semantics.md",
                  " * (pkrsverify/system.py), one event per SPIN transition.",
                  " *",
                  " * Check every property (-c0: go on after a violation, so each property gets its own",
                  " * verdict; BFS: the first \"assertion violated P (at depth D)\" line for P is a shortest",
                  " * violation of P, D events long; a property with no such line holds at these bounds):",
                  f" *     spin -a {s.name}.pml && gcc {flags} -o pan pan.c && ./pan -m1000000 -c0",
                  " * One counterexample: ./pan -m1000000 stops at the first violation and writes a trail;",
                  " * ./pan -r replays it event by event (not spin -t: it cannot run the embedded C). More cores: gcc -DBFS_PAR instead of -DBFS, then ./pan -u<cores>;",
                  " * or -DNCORE=<cores> without -DBFS (depth-first: verdicts, not shortest lengths).",
                  " * Beyond pkrsverify's states SPIN stores the one before boot() and, where a push or pop",
                  " * is fatal, the one halted state.",
                  f" * Properties asserted: {', '.join(p.value for p in self.properties if p in self.asserted) or 'none'}.",
                  " */")

    def constants(self) -> None:
        b = self.bounds
        self.emit(f"#define NTASKS     {self.ntasks}    /* {b.tasks} user task(s), numbered first, then "
                  f"{b.kthreads} kernel thread(s) */",
                  f"#define CPUS       {b.cpus}",
                  f"#define DEPTH      {b.depth}    /* entry frames per task; frame slot 0 holds the base frame */",
                  f"#define IDLE       {UNNAMED}  /* cpu[c].running when CPU c runs no task */",
                  "#define INIT       0    /* the value every register boots with */",
                  f"#define FRESH      {self.value_slots + 1}   /* the value a write creates; renamed away "
                  f"before its step ends */",
                  f"#define UNNAMED    {UNNAMED}  /* canonical renaming: a value not met yet */",
                  "",
                  f"/* Frame kinds of model {self.model.name} (0: no frame) */")
        for k in self.model.kinds:
            what = ("base, user mode: supervisor registers are not observed there" if k.user_mode else "base") \
                if k.is_base else "entry"
            self.emit(f"#define {self.kind[k.index]:<12} {k.index + 1}  /* {k.name}: {what} */")
        self.emit(f"#define NKINDS       {len(self.model.kinds)}")

    def state(self) -> None:
        field, places = self.field, ir.Place
        task_lines, cpu_lines, global_lines = [], [], []
        for s in self.strategy.storages:
            note = f"/* storage {s.name} : {s.place.value}{f' {s.size}' if s.place.is_stack else ''} */"
            if s.place in (places.TASK, places.CPU, places.GLOBAL):
                {places.TASK: task_lines, places.CPU: cpu_lines, places.GLOBAL: global_lines}[s.place].append(
                    f"    byte {field[s.index]};  {note}")
            elif s.place.is_stack:
                (task_lines if s.place is places.TASK_STACK else cpu_lines).extend(
                    [f"    byte {field[s.index]}[{s.size}];  {note}",
                     f"    byte {field[s.index]}_index;  /* entries in use */"])
            else:
                only = "" if s.kinds is None else " (used by " + ", ".join(
                    k.name for k in self.model.kinds if k.index in s.kinds) + ")"
                task_lines.append(f"    byte {field[s.index]}[DEPTH + 1];  {note[:-3]}, per frame slot{only} */")
        ghost, regs = self.actions.ghost, self.registers
        self.emit("/* ---- the state: layout.py, field for field ---- */",
                  "typedef Task {",
                  "    byte top;                    /* slot of the top frame = number of entry frames */",
                  "    byte kind[DEPTH + 1];        /* kind of the frame in each slot; 0 above the top */",
                  "    byte phase[DEPTH + 1];       /* 0: in its body; 1: preempted, it may only exit; 2..: at a window */",
                  "    byte frames_of[NKINDS + 1];  /* frames of each kind on the stack (for `max` and `atomic`) */",
                  *(f"    byte {ghost('left_with', r.index)};  /* ghost: the {r.name} the task left its CPU with */"
                    for r in regs),
                  *(f"    byte {ghost('interrupted', r.index)}[DEPTH + 1];  /* ghost: {r.name} when the frame in each "
                    f"slot was entered */" for r in regs),
                  *(f"    byte {ghost('delivered', r.index)}[DEPTH + 1];  /* ghost: the {r.name} each frame's delivery "
                    f"gave it, until its handler reads it */" for r in regs if r.read_by),
                  *task_lines,
                  "}",
                  "typedef Cpu {",
                  "    byte running;                /* the task it runs, or IDLE */",
                  *(f"    byte {self.names.register[r.index]};  /* the {r.name} register */" for r in regs),
                  *cpu_lines,
                  "}")
        if global_lines:
            self.emit("typedef Globals {", *global_lines, "}")
        self.emit("Task task[NTASKS];",
                  "Cpu cpu[CPUS];",
                  *(["Globals globals;"] if global_lines else []),
                  "bit halted;  /* a push or pop was fatal: the kernel BUG()s, the path has ended */",
                  "bit fatal;   /* within one step: a push or pop was fatal (always 0 between steps) */",
                  "/* One flag per property, set, asserted and reset to 1 within one step (so that it never",
                  "   tells two states apart): pan's message \"assertion violated no_lost\" names the property. */",
                  "bit " + ", ".join(f"{flag(p)} = 1" for p in self.properties) + ";")

    def renaming(self) -> None:
        s, places = self.strategy, ir.Place
        cpu = [f"rename_value(&now.cpu[cpu_nr].{self.field[x.index]});" for x in s.storages if x.place is places.CPU]
        cpu += [f"for (slot = 0; slot < {x.size}; slot++) rename_value(&now.cpu[cpu_nr].{self.field[x.index]}"
                f"[slot]);" for x in s.storages if x.place is places.CPU_STACK]
        glob = [f"rename_value(&now.globals.{self.field[x.index]});" for x in s.storages if x.place is places.GLOBAL]
        task = [f"rename_value(&now.task[task_nr].{self.field[x.index]});" for x in s.storages if x.place is places.TASK]
        task += [f"for (slot = 0; slot < {x.size}; slot++) rename_value(&now.task[task_nr].{self.field[x.index]}"
                 f"[slot]);" for x in s.storages if x.place is places.TASK_STACK]
        ghost, regs = self.actions.ghost, self.registers
        frame = [f"rename_value(&now.task[task_nr].{ghost('interrupted', r.index)}[slot]);" for r in regs]
        frame += [f"rename_value(&now.task[task_nr].{ghost('delivered', r.index)}[slot]);" for r in regs if r.read_by]
        frame += [f"rename_value(&now.task[task_nr].{self.field[x.index]}[slot]);"
                  for x in s.storages if x.place.is_frame]
        registers = [f"rename_value(&now.cpu[cpu_nr].{self.names.register[r.index]});" for r in regs]
        left_with = [f"rename_value(&now.task[task_nr].{ghost('left_with', r.index)});" for r in regs]
        self.emit("/* ---- canonical renaming of values ----",
                  "   Only equality of values matters, so a state is kept with its values renamed in order of",
                  "   first appearance (INIT stays 0) over every value slot in layout.py's order: the registers",
                  "   and storage of each CPU, global storage, then per task the values it left with, its",
                  "   storage, and per frame slot the ghosts and the frame's storage. */",
                  "c_decl {",
                  "    unsigned char canonical_name[FRESH + 1];  /* old value -> new one, UNNAMED if not met yet */",
                  "    unsigned char canonical_next;",
                  "    void rename_value(unsigned char *value)",
                  "    {   if (canonical_name[*value] == UNNAMED) canonical_name[*value] = canonical_next++;",
                  "        *value = canonical_name[*value];",
                  "    }",
                  "}",
                  "inline canonicalize() {",
                  "    c_code {",
                  "        int cpu_nr, task_nr, slot;",
                  "        memset(canonical_name, UNNAMED, sizeof canonical_name);",
                  "        canonical_name[INIT] = INIT;",
                  "        canonical_next = INIT + 1;",
                  "        for (cpu_nr = 0; cpu_nr < CPUS; cpu_nr++) {",
                  *(f"            {line}" for line in registers + cpu),
                  "        }",
                  *(f"        {line}" for line in glob),
                  "        for (task_nr = 0; task_nr < NTASKS; task_nr++) {",
                  *(f"            {line}" for line in left_with + task),
                  "            for (slot = 1; slot <= DEPTH; slot++) {",
                  *(f"                {line}" for line in frame),
                  "            }",
                  "        }",
                  "    }",
                  "}",
                  "",
                  "/* A fatal push or pop: every path that ends so ends in this one state. */",
                  "inline halt() {",
                  "    c_code {",
                  "        memset(now.task, 0, sizeof now.task);",
                  "        memset(now.cpu, 0, sizeof now.cpu);",
                  *(["        memset(&now.globals, 0, sizeof now.globals);"] if glob else []),
                  "    };",
                  "    halted = 1;",
                  "    fatal = 0",
                  "}")

    def frames(self) -> None:
        ready = " && ".join(f"cpu[{c}].running != (t)" for c in range(self.bounds.cpus))
        self.emit("/* ---- frames, and when each event is enabled (the guards of semantics/events.py) ---- */",
                  "#define top_kind(t)        task[t].kind[task[t].top]",
                  "#define runs(c, t)         (!halted && cpu[c].running == (t))",
                  f"#define ready(t)           ({ready})",
                  "#define in_body(t)         (task[t].phase[task[t].top] == 0)",
                  "#define top_phase(t)       task[t].phase[task[t].top]",
                  f"#define user_mode(k)       {self.kinds_where(lambda k: k.user_mode)}")
        for template in self.table.templates:
            if not template.cpu_idle:
                guard = " && ".join(self.condition(c) for c in template.guard) or "true"
                self.emit(f"#define may_{self.event_name(template)}(t) ({guard})")
        ghost = self.actions.ghost
        frame_cells = [f"    task[t].{ghost('interrupted', r.index)}[task[t].top] = INIT;" for r in self.registers]
        frame_cells += [f"    task[t].{ghost('delivered', r.index)}[task[t].top] = INIT;"
                        for r in self.registers if r.read_by]
        frame_cells += [f"    task[t].{self.field[s.index]}[task[t].top] = INIT;"
                        for s in self.strategy.storages if s.place.is_frame]
        self.emit("",
                  "/* A new frame: the event's frame from now on, reached as task[t].X[task[t].top]. */",
                  "inline push_frame(t, K) {",
                  "    task[t].top++;",
                  "    task[t].kind[task[t].top] = K;",
                  "    task[t].frames_of[K]++",
                  "}",
                  "/* A popped frame's cells are cleared: equal futures are equal states. */",
                  "inline pop_frame(t) {",
                  "    task[t].frames_of[top_kind(t)]--;",
                  "    task[t].kind[task[t].top] = 0;",
                  "    task[t].phase[task[t].top] = 0;",
                  *frame_cells,
                  "    task[t].top--",
                  "}",
                  "/* Every event ends here: a fatal push or pop halts, anything else is renamed canonically. */",
                  "inline finish() {",
                  "    if",
                  "    :: fatal -> halt()",
                  "    :: else -> canonicalize()",
                  "    fi",
                  "}")

    def condition(self, condition) -> str:
        if isinstance(condition, ev.Top):
            terms = []
            for phase in sorted(condition.phases):
                kinds = self.kinds_where(lambda k: k.index in condition.kinds(phase), "top_kind(t)")
                terms.append(f"(top_phase(t) == {phase} && {kinds})")
            return "(" + " || ".join(terms) + ")" if len(terms) > 1 else (terms or ["false"])[0]
        if isinstance(condition, ev.BelowDepth):
            return "task[t].top < DEPTH"
        if isinstance(condition, ev.FewerThan):
            return f"task[t].frames_of[{self.kind[condition.kind]}] < {condition.count}"
        assert isinstance(condition, ev.NoneBelow)
        counted = " + ".join(f"task[t].frames_of[{self.kind[k.index]}]" for k in self.model.kinds
                             if k.index in condition.kinds) or "0"
        # frames of these kinds on the stack, less the top one if it is one of them
        return f"({counted}) == {self.kinds_where(lambda k: k.index in condition.kinds, 'top_kind(t)')}"

    def event_name(self, template: ev.Template) -> str:
        """enter_page_fault, continue_page_fault_1, exit_irq, write_pkrs, schedule_to_task, preempt_to_idle,
        dispatch_task."""
        if template.action is ev.Action.CONTINUE:
            return f"continue_{self.kind_id[template.kind]}_{template.part}"
        if template.kind is not None:
            return f"{template.action.value}_{self.kind_id[template.kind]}"
        if template.action is ev.Action.WRITE:
            return f"write_{self.names.register[template.register]}"
        return f"{template.action.value}_to_{template.target.value}" if template.action is not ev.Action.DISPATCH \
            else "dispatch_task"

    def handlers(self) -> None:
        self.emit(*self.actions.inlines())

    # ---- events -------------------------------------------------------------------------------------

    def events(self) -> None:
        self.emit("/* ---- events, one inline per template of semantics/events.py; each runs as one d_step ----",
                  "   t: the task acting, c: its CPU, u: the task switched in (a dispatch's task). */")
        for template in self.table.templates:
            kind = self.kind[template.kind] if template.kind is not None else None
            self.emit(f"inline {self.event_name(template)}(t, c, u) {{",
                      *self.actions.event(template, kind),
                      "}")

    def process(self) -> None:
        b = self.bounds
        boot = []
        for t in range(self.ntasks):
            base = self.kind[self.model.kind("user" if t < b.tasks else "kthread").index]
            boot += [f"    task[{t}].kind[0] = {base};", f"    task[{t}].frames_of[{base}] = 1;"]
        boot += [f"    cpu[{c}].running = {c if c < self.ntasks else 'IDLE'};" for c in range(b.cpus)]
        boot[-1] = boot[-1].removesuffix(";")
        self.emit("/* Task i < CPUS starts on CPU i in its base frame; every value is INIT. */",
                  "inline boot() {", *boot, "}",
                  "",
                  "active proctype kernel() {",
                  "    d_step { boot() };",
                  "end:  /* a path may end: nothing enabled is not an error */",
                  "    do")
        tasks = range(self.ntasks)
        for c in range(b.cpus):
            for t in tasks:
                self.emit(f"    /* task {t} on CPU {c} */")
                for template in self.table.task_templates:
                    for event in ev.instances(template, c, t, tasks):
                        self.option(template, event)
            self.emit(f"    /* CPU {c} idle: dispatch a ready task */")
            for template in self.table.by_action(ev.Action.DISPATCH):
                for event in ev.instances(template, c, ev.IDLE, tasks):
                    self.option(template, event)
        self.emit("    od", "}")

    def option(self, template: ev.Template, event: ev.Event) -> None:
        """One event as one `do` option. The printf shows in a trail replayed by `./pan -r`
        (pan prints nothing during the search itself)."""
        c, t, u = event.cpu, event.task, event.target
        name = self.event_name(template)
        if template.cpu_idle:
            on, who, guard, args = "!halted", f"cpu {c}", f"cpu[{c}].running == IDLE && ready({u})", f"{u}, {c}, {u}"
        else:
            on, who, guard = f"runs({c}, {t})", f"cpu {c} task {t}", f"may_{name}({t})"
            if template.target is ev.Target.TASK:
                guard += f" && ready({u})"
            args = f"{t}, {c}, {u if u >= 0 else 'IDLE'}"
        self.emit(f'    :: d_step {{ {on} && {guard} -> printf("{who}: {self.describe(event)}\\n"); '
                  f'{name}({args}) }}')

    def describe(self, event: ev.Event) -> str:
        """The event as the trail prints it (as traces say it: `enter syscall`, `schedule -> task 1`)."""
        kinds = self.model.kinds
        match event.action:
            case ev.Action.ENTER:
                return f"enter {kinds[event.kind].name}"
            case ev.Action.EXIT:
                return f"exit {kinds[event.kind].name}"
            case ev.Action.WRITE:
                return "write" if len(self.registers) == 1 else f"write {self.registers[event.register].name}"
            case ev.Action.CONTINUE:
                return f"continue {kinds[event.kind].name} (part {event.part})"
            case ev.Action.DISPATCH:
                return f"dispatch task {event.target}"
            case _:
                return f"{event.action.value} -> {'idle' if event.target < 0 else f'task {event.target}'}"
