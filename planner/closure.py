"""Per-goal preparation: the goal's closure and the downstream targets of each of its topics.

None of this depends on the learner, so the graph computes it once per goal and caches it.
Everything is in graph indices, where index order is a topological order (prerequisites first).
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GoalPlan:
    """The learner-independent facts about one goal on one graph."""

    closure: frozenset[str]
    """Slugs of the targets and all their transitive prerequisites."""
    order: tuple[int, ...]
    """Indices of the closure, ascending, hence in topological order."""
    members: frozenset[int]
    """Indices of the closure, for membership tests."""
    roots: tuple[int, ...]
    """Closure indices without prerequisites, ascending."""
    weight: Mapping[int, float]
    """Goal weight per target index."""
    targets: tuple[int, ...]
    """Target indices, heaviest first, then by slug: the order reasons name them in."""
    downstream: Mapping[int, tuple[int, ...]]
    """Closure index -> the targets that transitively need it (itself excluded), in `targets`
    order. Topics that lead to no other target are absent."""
    ancestry: Mapping[int, tuple[int, ...]]
    """Target index -> its own closure (itself included), ascending."""
    ancestry_masks: Mapping[int, int]
    """Target index -> its own closure as a bitset (bit i set for index i), for fast counts."""
    supporting: frozenset[int]
    """Closure indices that another closure topic needs: they must be known (DESIGN.md §7)."""
    supporting_mask: int
    """`supporting` as a bitset."""


def plan_goal(
    *,
    prerequisites: Sequence[tuple[int, ...]],
    dependents: Sequence[tuple[int, ...]],
    slugs: Sequence[str],
    targets: Mapping[int, float],
) -> GoalPlan:
    """Prepare a goal given as target index -> weight."""
    members = _ancestors_of(prerequisites, targets)
    order = tuple(sorted(members))
    ranked = tuple(sorted(targets, key=lambda index: (-targets[index], slugs[index])))
    bit_of = {target: 1 << position for position, target in enumerate(ranked)}

    # One reverse-topological pass: a topic leads to every target its dependents lead to or are.
    # Masks have one bit per target, so they stay small however large the closure is.
    below: dict[int, int] = {}
    for index in reversed(order):
        mask = 0
        for dependent in dependents[index]:
            if dependent in members:
                mask |= below[dependent] | bit_of.get(dependent, 0)
        below[index] = mask

    # Many topics share the same set of downstream targets; intern the tuples.
    tuples_by_mask: dict[int, tuple[int, ...]] = {}
    downstream: dict[int, tuple[int, ...]] = {}
    for index, mask in below.items():
        if mask:
            named = tuples_by_mask.get(mask)
            if named is None:
                named = tuple(t for t in ranked if bit_of[t] & mask)
                tuples_by_mask[mask] = named
            downstream[index] = named

    supporting = frozenset(index for index in order if any(d in members for d in dependents[index]))
    ancestry = {
        target: tuple(index for index in order if index == target or below[index] & bit_of[target])
        for target in ranked
    }
    return GoalPlan(
        closure=frozenset(slugs[index] for index in order),
        order=order,
        members=frozenset(members),
        roots=tuple(index for index in order if not prerequisites[index]),
        weight=dict(targets),
        targets=ranked,
        downstream=downstream,
        ancestry=ancestry,
        ancestry_masks={target: index_mask(indices) for target, indices in ancestry.items()},
        supporting=supporting,
        supporting_mask=index_mask(supporting),
    )


def _ancestors_of(prerequisites: Sequence[tuple[int, ...]], roots: Mapping[int, float]) -> set[int]:
    """The roots and every topic they transitively need."""
    seen = set(roots)
    stack = list(roots)
    while stack:
        for prerequisite in prerequisites[stack.pop()]:
            if prerequisite not in seen:
                seen.add(prerequisite)
                stack.append(prerequisite)
    return seen


def index_mask(indices: Collection[int]) -> int:
    """A bitset of `indices`: bit i is set for each index i."""
    bits = bytearray((max(indices, default=0) >> 3) + 1)
    for index in indices:
        bits[index >> 3] |= 1 << (index & 7)
    return int.from_bytes(bits, "little")
