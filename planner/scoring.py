"""How a ready topic is scored.

For a ready topic `v` of the goal's closure let

* `w(v)` be its goal weight (0 when it is not a target),
* `D(v)` the not-known targets that transitively need `v` (what learning it unlocks downstream),
* `n(t)` the number of not-known topics in target `t`'s own closure (`t` included): the steps
  still between the learner and `t`,
* `h(v)` its estimated hours, and `p(v)` 1 when the learner has started it, else 0.

Then::

    value(v) = w(v) + UNLOCK_SHARE * sum(w(t) / n(t) for t in D(v)) + IN_PROGRESS_BONUS * p(v)
    score(v) = round(value(v) * EFFORT_HOURS / (EFFORT_HOURS + h(v)), 4)

Each open target shares its weight among the steps still needed to reach it, so a topic earns
more the closer it brings heavy targets; a universal first topic that leads everywhere from far
away does not win every goal. The effort factor is 1 for a topic of no length, 1/2 at
`EFFORT_HOURS` and keeps falling, so a short topic beats a long one of equal value without
effort swamping the goal weights.
Recommendations are sorted by score, highest first, then by slug.
"""

UNLOCK_SHARE = 1.0
"""How much of the (shared) goal weight waiting downstream counts towards a prerequisite."""
IN_PROGRESS_BONUS = 0.5
"""Reward for finishing what the learner has started."""
EFFORT_HOURS = 20.0
"""Hours at which the effort factor halves the value."""
QUICK_WIN_HOURS = 4.0
"""Topics this short or shorter get the `quick_win` reason."""
SCORE_DECIMALS = 4


def topic_score(
    *, own_weight: float, unlocked_weight: float, in_progress: bool, hours: float
) -> float:
    """The score of a ready topic, per the formula in the module docstring."""
    value = own_weight + UNLOCK_SHARE * unlocked_weight
    if in_progress:
        value += IN_PROGRESS_BONUS
    return round(value * EFFORT_HOURS / (EFFORT_HOURS + hours), SCORE_DECIMALS)
