"""The level rules of DESIGN.md §7: order, the level a status implies, known, met, depth hours."""

import pytest

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
