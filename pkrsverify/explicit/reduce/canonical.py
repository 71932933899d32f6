"""One representative per class of equivalent states.

A state is stored in the form `canonical` gives it, which composes:

1. dead values reset to INIT (liveness.py);
2. symmetry: tasks of one base kind are interchangeable, and so are CPUs.
   Nothing in docs/semantics.md names a particular task or CPU except the
   initial placement, so a renaming of tasks (within a base kind) and of
   CPUs maps paths to paths of the same length that violate the same
   properties. The representative of an orbit is the least (as bytes,
   after step 3) of the permuted states whose tasks and CPUs are sorted by
   a structural key (running or not, frames, stack depths); the key is
   invariant under the group, so every member of an orbit yields the same
   candidates and the same least one. Where tasks tie on the key so often
   that trying every order of them is too dear (more than CANDIDATES
   orders: many identical tasks), ties are broken by the tasks' values as
   they stand. That representative is a member of the orbit but not always
   the same one for every member: two states of one orbit may then both be
   stored, which costs states, never exactness (the successors of any
   member of an orbit are members of the successors' orbits);
3. values renamed in order of first appearance (only equality matters).

`canonical_with_map` also returns the permutation it applied, which
explicit/paths.py composes along a stored path to turn a representative's
events into the concrete events of the unreduced system.
"""
from __future__ import annotations

from itertools import permutations, product
from math import factorial, prod
from operator import itemgetter

from ..compiled import Compiled
from ..states import FROZEN, IDENT, MEMO_LIMIT, fits
from .liveness import Liveness

CANDIDATES = 120  # orders of tied tasks and CPUs tried at most (5!)


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
        self.identity = (tuple(range(self.tasks)), tuple(range(self.cpus)))
        self._getters: dict = {}
        if self.symmetry:
            self._task_blocks = [compiled.task_positions(t) for t in range(self.tasks)]
            self._cpu_blocks = [compiled.cpu_positions(c) for c in range(self.cpus)]
            vs = self.values_start
            self._task_values = [itemgetter(*[p for p in block if p >= vs]) for block in self._task_blocks]
            stack_index = [tuple(index for index, _ in task.stacks.values()) for task in layout.tasks]
            self._task_stack_index = [itemgetter(*p) if p else None for p in stack_index]
            cpu_index = [tuple(index for index, _ in cpu.stacks.values()) for cpu in layout.cpus]
            self._cpu_stack_index = [itemgetter(*p) if p else None for p in cpu_index]

    # ---- the representative ------------------------------------------------------------

    def function(self):
        """The fastest callable computing `canonical` for this configuration."""
        if self.liveness is not None or self.symmetry:
            return self.canonical
        return self.rename

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
        if candidates is None:  # too many ties to cache an answer for the structure
            candidates = self._candidate_plans(s, self._candidates(s))
        rename_values = self.rename_values
        if len(candidates) == 1:
            _, prefix, pieces = candidates[0]
            if prefix is None:
                return structure + rename_values(s[vs:])
            return prefix + rename_values(b"".join(map(s.__getitem__, pieces)))
        return min(structure + rename_values(s[vs:]) if prefix is None else
                   prefix + rename_values(b"".join(map(s.__getitem__, pieces)))
                   for _, prefix, pieces in candidates)

    def canonical_with_map(self, s: bytes):
        """(representative, task_map, cpu_map) with representative == canonical(s): old task t
        of s is task task_map[t] of the representative, old CPU c is CPU cpu_map[c]."""
        if not self.symmetry:
            return self.canonical(s), *self.identity
        mask, candidates = self._plan(s)
        s = self.reset_dead(s)
        if candidates is None:
            candidates = self._candidate_plans(s, self._candidates(s))
        vs = self.values_start
        best = None
        for maps, prefix, pieces in candidates:
            state = s[:vs] + self.rename_values(s[vs:]) if prefix is None else \
                prefix + self.rename_values(b"".join(map(s.__getitem__, pieces)))
            if best is None or state < best[0]:
                best = (state, *maps)
        return best

    # ---- what a structure decides: dead cells, candidate permutations --------------------

    def _plan(self, s: bytes):
        """(mask of live bytes or None, candidates) for every state with the structure of s.

        The structure part of a state (running tasks, frames, stack depths)
        decides which cells are dead and, unless tasks tie too often, which
        permutations sort it; states share structures, so this is computed
        once per structure.
        """
        structure = s[:self.values_start]
        plan = self._plans.get(structure)
        if plan is None:
            if len(self._plans) > MEMO_LIMIT:
                self._plans.clear()
            mask = self._mask(s) if self.liveness is not None else None
            candidates = [(self.identity, None, None)]
            if self.symmetry:
                maps = self._candidates(s, structural=True)
                candidates = None if maps is None else self._candidate_plans(s, maps)
            plan = self._plans[structure] = (mask, candidates)
        return plan

    def _candidate_plans(self, s: bytes, maps) -> list:
        """(maps, permuted structure or None for the identity, slices permuting the values)."""
        out = []
        for task_map, cpu_map in maps:
            if (task_map, cpu_map) == self.identity:
                out.append(((task_map, cpu_map), None, None))
                continue
            prefix = self.permute(s, task_map, cpu_map)[:self.values_start]
            out.append(((task_map, cpu_map), prefix, self._value_slices(task_map, cpu_map)))
        return out

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
            if not s[low]:
                continue  # the task of a frozen CPU: gone, its cells already cleared (por.py)
            for position in self.liveness.dead(t, s[low:high], t in running):
                keep[position] = 0
                any_dead = True
        return int.from_bytes(keep, "big") if any_dead else None

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
                if len(seen) > MEMO_LIMIT:
                    seen.clear()
                order = bytes(dict.fromkeys(b"\0" + values))
                renamed = seen[values] = values if IDENT.startswith(order) else \
                    values.translate(bytes.maketrans(order, fits(order)))
            return renamed

        def rename_state(s: bytes) -> bytes:
            values = s[vs:]
            renamed = rename_values(values)
            return s if renamed == values else s[:vs] + renamed
        return rename_state, rename_values

    # ---- symmetry ------------------------------------------------------------------

    def _source(self, task_map: tuple[int, ...], cpu_map: tuple[int, ...]) -> list[int]:
        """source[p] = the position of s that position p of the permuted state takes."""
        source = list(range(self.size))
        for old, new in enumerate(task_map):
            for p_new, p_old in zip(self._task_blocks[new], self._task_blocks[old]):
                source[p_new] = p_old
        for old, new in enumerate(cpu_map):
            for p_new, p_old in zip(self._cpu_blocks[new], self._cpu_blocks[old]):
                source[p_new] = p_old
        return source

    def permute(self, s: bytes, task_map, cpu_map) -> bytes:
        """Old task t becomes task_map[t], old CPU c becomes cpu_map[c] (values not renamed)."""
        key = (tuple(task_map), tuple(cpu_map))
        getter = self._getters.get(key)
        if getter is None:
            table = bytearray(IDENT)
            for old, new in enumerate(task_map):
                table[old] = new
            getter = self._getters[key] = (slices(self._source(*key)), bytes(table))
        pieces, table = getter
        permuted = b"".join(map(s.__getitem__, pieces))
        return permuted[:self.cpus].translate(table) + permuted[self.cpus:]

    def _value_slices(self, task_map: tuple[int, ...], cpu_map: tuple[int, ...]) -> tuple[slice, ...]:
        key = ("values", task_map, cpu_map)
        found = self._getters.get(key)
        if found is None:
            found = self._getters[key] = slices(self._source(task_map, cpu_map)[self.values_start:])
        return found

    def _candidates(self, s: bytes, structural: bool = False):
        """The (task_map, cpu_map) that sort s's tasks and CPUs, every order of ties included;
        with `structural`, None where that would be more than CANDIDATES (see the module's comment)."""
        running = s[:self.cpus]
        keys = []
        for t, (low, high) in enumerate(self.key_ranges):
            key = (b"\0" if t in running else b"\1") + s[low:high]
            if self._task_stack_index[t]:
                key += b"|" + bytes(_as_tuple(self._task_stack_index[t](s)))
            keys.append(key)
        cpu_keys = []
        for c in range(self.cpus):
            t = running[c]
            key = keys[t] if t < FROZEN else bytes((t,))  # a frozen CPU, then an idle one, after the busy ones
            if self._cpu_stack_index[c]:
                key += b"|" + bytes(_as_tuple(self._cpu_stack_index[c](s)))
            cpu_keys.append(key)
        task_groups = [_ties(sorted(members, key=keys.__getitem__), keys) for members in self.classes]
        cpu_groups = _ties(sorted(range(self.cpus), key=cpu_keys.__getitem__), cpu_keys)
        orders = prod(factorial(len(g)) for g in [*cpu_groups, *(g for groups in task_groups for g in groups)])
        if orders > CANDIDATES:
            if structural:
                return None
            # break ties by values as they stand, then by number: one order
            keys = [key + b"|" + bytes(_as_tuple(self._task_values[t](s))) for t, key in enumerate(keys)]
            cpu_keys = [keys[running[c]] if running[c] < FROZEN else bytes((running[c],)) for c in range(self.cpus)]
            task_groups = [[(t,) for t in sorted(members, key=lambda t: (keys[t], t))] for members in self.classes]
            cpu_groups = [(c,) for c in sorted(range(self.cpus), key=lambda c: (cpu_keys[c], c))]
        task_choices = [[sum(choice, ()) for choice in product(*(permutations(g) for g in groups))]
                        for groups in task_groups]
        cpu_choices = [sum(choice, ()) for choice in product(*(permutations(g) for g in cpu_groups))]
        out = []
        for parts in product(*task_choices):
            task_map = _inverse(sum(parts, ()))  # parts: order[new] = old
            for cpu_order in cpu_choices:
                out.append((task_map, _inverse(cpu_order)))
        return out


def _inverse(order: tuple[int, ...]) -> tuple[int, ...]:
    out = [0] * len(order)
    for new, old in enumerate(order):
        out[old] = new
    return tuple(out)


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _ties(ordered: list[int], keys) -> list[tuple[int, ...]]:
    groups: list[list[int]] = []
    for item in ordered:
        if groups and keys[groups[-1][-1]] == keys[item]:
            groups[-1].append(item)
        else:
            groups.append([item])
    return [tuple(g) for g in groups]


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
