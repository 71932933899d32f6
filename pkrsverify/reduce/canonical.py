"""One representative per class of equivalent states.

A state is stored in the form `canonical` gives it, which composes:

1. dead values reset to INIT (liveness.py);
2. symmetry: tasks of one base kind are interchangeable, and so are CPUs.
   Nothing in semantics.md names a particular task or CPU except the
   initial placement, so a renaming of tasks (within a base kind) and of
   CPUs maps paths to paths of the same length that violate the same
   properties. The representative of an orbit is the least (as bytes,
   after step 3) of the permuted states whose tasks and CPUs are sorted by
   a structural key (frames, stack depths, running or not); the key is
   invariant under the group, so every member of an orbit yields the same
   candidates and the same least one;
3. values renamed in order of first appearance (only equality matters).

`canonical_with_map` also returns the permutation, which the engine uses to
turn a representative's event into the concrete event of a replayed path.
"""
from __future__ import annotations

from itertools import permutations, product
from operator import itemgetter

from .. import ir
from ..engines.compiled import IDENT, NONE, Compiled, fits, rename
from .liveness import Liveness


class Canonical:
    def __init__(self, compiled: Compiled, liveness: Liveness | None, symmetry: bool):
        self.compiled = compiled
        layout = compiled.layout
        self.layout = layout
        self.size = compiled.size
        self.values_start = compiled.values_start
        self.cpus = compiled.cpus
        self.tasks = compiled.tasks
        self.key_ranges = compiled.key_ranges
        self.liveness = liveness
        self._plans: dict = {}
        self.rename, self.rename_values = self._make_rename()
        bounds = compiled.system.bounds
        self.classes = tuple(c for c in (range(0, bounds.tasks), range(bounds.tasks, self.tasks)) if len(c))
        self.symmetry = symmetry and (self.tasks > 1 or self.cpus > 1)
        if self.symmetry:
            self._task_blocks = [self._task_block(t) for t in range(self.tasks)]
            self._cpu_blocks = [self._cpu_block(c) for c in range(self.cpus)]
            stack_index = [tuple(index for index, _ in task.stacks.values()) for task in layout.tasks]
            self._task_stack_index = [itemgetter(*p) if p else None for p in stack_index]
            cpu_index = [tuple(index for index, _ in cpu.stacks.values()) for cpu in layout.cpus]
            self._cpu_stack_index = [itemgetter(*p) if p else None for p in cpu_index]
        self._getters: dict = {}

    # ---- what a structure decides: dead cells, candidate permutations --------------------

    def _plan(self, s: bytes):
        """(mask of live bytes or None, candidates) for every state with the structure of s.

        The structure part of a state (running tasks, frames, stack depths)
        decides which cells are dead and which permutations sort it; states
        share structures, so this is computed once per structure.
        """
        structure = s[:self.values_start]
        plan = self._plans.get(structure)
        if plan is None:
            if len(self._plans) > 1_000_000:
                self._plans.clear()
            mask = self._mask(s) if self.liveness is not None else None
            candidates = [None]
            if self.symmetry:
                # a candidate: the permuted structure (the same for every state of this
                # structure) and the slices that permute the values
                candidates = []
                for task_map, cpu_map in self._candidates(s):
                    if task_map == list(range(self.tasks)) and cpu_map == list(range(self.cpus)):
                        candidates.append(None)
                        continue
                    getter = self._getter(tuple(task_map), tuple(cpu_map))
                    prefix = self._permute(s, getter)[:self.values_start]
                    candidates.append((prefix, self._value_slices(tuple(task_map), tuple(cpu_map))))
            plan = self._plans[structure] = (mask, candidates)
        return plan

    def reset_dead(self, s: bytes) -> bytes:
        mask = self._plan(s)[0]
        if mask is None:
            return s
        x = int.from_bytes(s, "big")
        y = x & mask
        return s if x == y else y.to_bytes(self.size, "big")

    def _mask(self, s: bytes):
        running = s[:self.cpus]
        keep = bytearray(b"\xff" * self.size)
        any_dead = False
        for t, (low, high) in enumerate(self.key_ranges):
            for position in self.liveness.dead(t, s[low:high], t in running):
                keep[position] = 0
                any_dead = True
        return int.from_bytes(keep, "big") if any_dead else None

    # ---- symmetry ------------------------------------------------------------------

    def _task_block(self, t: int) -> list[int]:
        task = self.layout.tasks[t]
        block = [task.frame_count, *task.frames]
        block += [index for index, _ in task.stacks.values()]
        block += [task.left_with, *task.cells.values()]
        for storage, (_, first) in task.stacks.items():
            block += range(first, first + self.compiled.system.strategy.storages[storage].size)
        block += [p for p in task.interrupted if p >= 0]
        for cells in task.frame_cells:
            block += cells.values()
        return block

    def _cpu_block(self, c: int) -> list[int]:
        cpu = self.layout.cpus[c]
        block = [cpu.running, *(index for index, _ in cpu.stacks.values()), cpu.pkrs, *cpu.cells.values()]
        for storage, (_, first) in cpu.stacks.items():
            block += range(first, first + self.compiled.system.strategy.storages[storage].size)
        return block

    def _getter(self, task_map: tuple[int, ...], cpu_map: tuple[int, ...]):
        """(slices, running table): old task t becomes task_map[t], old CPU c becomes cpu_map[c]."""
        key = (task_map, cpu_map)
        getter = self._getters.get(key)
        if getter is None:
            source = list(range(self.size))
            for old, new in enumerate(task_map):
                for p_new, p_old in zip(self._task_blocks[new], self._task_blocks[old]):
                    source[p_new] = p_old
            for old, new in enumerate(cpu_map):
                for p_new, p_old in zip(self._cpu_blocks[new], self._cpu_blocks[old]):
                    source[p_new] = p_old
            table = bytearray(IDENT)
            for old, new in enumerate(task_map):
                table[old] = new
            getter = self._getters[key] = (slices(source), bytes(table))
        return getter

    def _value_slices(self, task_map: tuple[int, ...], cpu_map: tuple[int, ...]) -> tuple[slice, ...]:
        key = ("values", task_map, cpu_map)
        found = self._getters.get(key)
        if found is None:
            source = list(range(self.size))
            for old, new in enumerate(task_map):
                for p_new, p_old in zip(self._task_blocks[new], self._task_blocks[old]):
                    source[p_new] = p_old
            for old, new in enumerate(cpu_map):
                for p_new, p_old in zip(self._cpu_blocks[new], self._cpu_blocks[old]):
                    source[p_new] = p_old
            found = self._getters[key] = slices(source[self.values_start:])
        return found

    def permute(self, s: bytes, task_map, cpu_map) -> bytes:
        return self._permute(s, self._getter(tuple(task_map), tuple(cpu_map)))

    def _permute(self, s: bytes, getter) -> bytes:
        pieces, table = getter
        permuted = b"".join(map(s.__getitem__, pieces))
        return permuted[:self.cpus].translate(table) + permuted[self.cpus:]

    def _candidates(self, s: bytes):
        running = s[:self.cpus]
        keys = []
        for t, (low, high) in enumerate(self.key_ranges):
            key = (b"\0" if t in running else b"\1") + s[low:high]
            if self._task_stack_index[t]:
                key += bytes(self._as_tuple(self._task_stack_index[t](s)))
            keys.append(key)
        # tasks: within each base kind, in order of key; equal keys may go either way
        task_choices = []
        for members in self.classes:
            ordered = sorted(members, key=keys.__getitem__)
            groups = _ties(ordered, keys)
            task_choices.append([sum(choice, ()) for choice in product(*(permutations(g) for g in groups))])
        cpu_keys = []
        for c in range(self.cpus):
            t = running[c]
            key = keys[t] if t != NONE else b"\xff"
            if self._cpu_stack_index[c]:
                key += b"|" + bytes(self._as_tuple(self._cpu_stack_index[c](s)))
            cpu_keys.append(key)
        ordered = sorted(range(self.cpus), key=cpu_keys.__getitem__)
        groups = _ties(ordered, cpu_keys)
        cpu_choices = [sum(choice, ()) for choice in product(*(permutations(g) for g in groups))]
        for parts in product(*task_choices):
            order = sum(parts, ())          # order[new] = old
            task_map = [0] * self.tasks
            for new, old in enumerate(order):
                task_map[old] = new
            for cpu_order in cpu_choices:
                cpu_map = [0] * self.cpus
                for new, old in enumerate(cpu_order):
                    cpu_map[old] = new
                yield task_map, cpu_map

    @staticmethod
    def _as_tuple(x):
        return x if isinstance(x, tuple) else (x,)

    # ---- the representative ------------------------------------------------------------

    def function(self):
        """The fastest callable computing `canonical` for this configuration."""
        if self.liveness is not None or self.symmetry:
            return self.canonical
        return self.rename

    def _make_rename(self):
        """(`rename(s)`, `rename_values(values)`), remembering the renaming of each value part seen.

        Distinct value parts are far fewer than states (a value part recurs
        with every structure: who runs, which frames), and a dictionary hit
        costs a third of renaming in place.
        """
        vs = self.values_start
        seen: dict[bytes, bytes] = {}

        def rename_values(values: bytes) -> bytes:
            renamed = seen.get(values)
            if renamed is None:
                if len(seen) > 1_000_000:
                    seen.clear()
                order = bytes(dict.fromkeys(b"\0" + values))
                renamed = seen[values] = values if IDENT.startswith(order) else \
                    values.translate(bytes.maketrans(order, fits(order)))
            return renamed

        def rename_state(s: bytes) -> bytes:
            values = s[vs:]
            renamed = rename_values(values)
            return s if renamed is values or renamed == values else s[:vs] + renamed
        return rename_state, rename_values

    def canonical(self, s: bytes) -> bytes:
        vs = self.values_start
        structure = s[:vs]
        plan = self._plans.get(structure)
        mask, candidates = plan if plan is not None else self._plan(s)
        if mask is not None:
            x = int.from_bytes(s, "big")
            y = x & mask
            if x != y:
                s = y.to_bytes(self.size, "big")
        rename_values = self.rename_values
        if len(candidates) == 1:
            candidate = candidates[0]
            if candidate is None:
                return structure + rename_values(s[vs:])
            prefix, pieces = candidate
            return prefix + rename_values(b"".join(map(s.__getitem__, pieces)))
        return min(structure + rename_values(s[vs:]) if candidate is None else
                   candidate[0] + rename_values(b"".join(map(s.__getitem__, candidate[1])))
                   for candidate in candidates)

    def canonical_with_map(self, s: bytes):
        """(representative, task_map, cpu_map): the representative is rename(permute(reset_dead(s)))."""
        s = self.reset_dead(s)
        if not self.symmetry:
            return rename(s, self.values_start), tuple(range(self.tasks)), tuple(range(self.cpus))
        best = None
        for task_map, cpu_map in self._candidates(s):
            candidate = rename(self.permute(s, task_map, cpu_map), self.values_start)
            if best is None or candidate < best[0]:
                best = (candidate, tuple(task_map), tuple(cpu_map))
        return best


def slices(source: list[int]) -> tuple[slice, ...]:
    """The output position i takes input position source[i]: as few slices as runs allow."""
    out = []
    start = previous = None
    for position in source:
        if start is not None and position == previous + 1:
            previous = position
            continue
        if start is not None:
            out.append(slice(start, previous + 1))
        start = previous = position
    if start is not None:
        out.append(slice(start, previous + 1))
    return tuple(out)


def _ties(ordered: list[int], keys) -> list[tuple[int, ...]]:
    groups: list[list[int]] = []
    for item in ordered:
        if groups and keys[groups[-1][-1]] == keys[item]:
            groups[-1].append(item)
        else:
            groups.append([item])
    return [tuple(g) for g in groups]


__all__ = ["Canonical", "ir"]
