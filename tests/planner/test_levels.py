"""The level rules of DESIGN.md §7: order, the level a status implies, known, met, depth hours."""

import pytest

from planner.gaps import Target, readiness, target_gaps
from planner.levels import (
    Level,
    depth_hours,
    depth_share,
    effective_level,
    is_known,
    meets,
    rank_of,
)


def test_levels_are_ordered_from_aware_to_expert():
    assert [level.rank for level in Level] == [1, 2, 3, 4]
    assert rank_of(None) == 0


@pytest.mark.parametrize(
    ("status", "chosen", "expected"),
    [
        ("completed", None, Level.PROFICIENT),
        ("skipped", None, Level.PROFICIENT),
        ("in_progress", None, Level.AWARE),
        ("not_started", None, None),
        ("completed", Level.AWARE, Level.AWARE),
        ("not_started", Level.EXPERT, Level.EXPERT),
    ],
)
def test_effective_level_is_the_chosen_one_else_the_status(status, chosen, expected):
    assert effective_level(status, chosen) is expected


def test_known_from_practiced_and_met_at_the_required_level():
    assert [is_known(level) for level in (None, *Level)] == [False, False, True, True, True]
    assert meets(Level.PROFICIENT, Level.PROFICIENT)
    assert not meets(Level.PRACTICED, Level.PROFICIENT)
    assert not meets(None, Level.AWARE)


def test_depth_hours_take_a_third_of_the_estimate_per_step():
    assert depth_hours(9.0, from_level=None, to_level=Level.PROFICIENT) == 9.0
    assert depth_hours(9.0, from_level=Level.PRACTICED, to_level=Level.PROFICIENT) == 3.0
    assert depth_hours(9.0, from_level=Level.AWARE, to_level=Level.EXPERT) == 9.0
    assert depth_hours(9.0, from_level=Level.EXPERT, to_level=Level.PRACTICED) == 0.0


def test_depth_share_is_the_reached_part_of_the_required_depth():
    assert depth_share(None, Level.PROFICIENT) == 0.0
    assert depth_share(Level.AWARE, Level.PROFICIENT) == pytest.approx(1 / 3)
    assert depth_share(Level.EXPERT, Level.PRACTICED) == 1.0


def test_gaps_give_hours_to_close_and_a_weighted_readiness():
    targets = [
        Target("calculus", 1.0, Level.AWARE),
        Target("linear-regression", 0.5, Level.PROFICIENT),
        Target("transformers", 0.5, Level.EXPERT),
    ]
    levels = {"calculus": Level.PROFICIENT, "linear-regression": Level.AWARE}
    hours = {"calculus": 30.0, "linear-regression": 6.0, "transformers": 12.0}
    calculus, regression, transformers = target_gaps(targets, levels=levels, hours=hours)
    assert (calculus.met, calculus.hours_to_close, calculus.share) == (True, 0.0, 1.0)
    assert (regression.met, regression.hours_to_close) == (False, 4.0)
    assert (transformers.current, transformers.hours_to_close) == (None, 16.0)
    # (1.0 x 1 + 0.5 x 1/3 + 0.5 x 0) / 2
    assert readiness((calculus, regression, transformers)) == pytest.approx(7 / 12)
