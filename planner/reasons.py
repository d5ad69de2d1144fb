"""Reason codes and the sentences that explain a recommendation to a person.

Topics are named by their titles, the goal by its slug ("your targets" for an ad-hoc goal).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from planner.goals import Goal
from planner.levels import DEFAULT_TARGET_LEVEL, Level

DEEPEN = "deepen"
"""A target the learner knows, but not as deep as the goal asks."""
GOAL_TARGET = "goal_target"
UNLOCKS = "unlocks"
IN_PROGRESS = "in_progress"
QUICK_WIN = "quick_win"
GROUNDWORK = "groundwork"
"""Given when no other reason applies: a prerequisite whose downstream targets are known."""
REVIEW_DUE = "review_due"
"""A learned topic whose chance of being recalled fell below the desired retention."""

MAX_NAMED = 3
"""How many topics a sentence names before it says "and N more"."""


@dataclass(frozen=True, slots=True)
class Reason:
    """A machine-readable code and a sentence for humans."""

    code: str
    detail: str


def deepen(title: str, goal: Goal, current: Level, required: Level) -> Reason:
    """The learner knows a target at `current`; the goal asks for `required`."""
    asker = "your targets need" if goal.slug is None else f"the {goal.slug} goal needs"
    return Reason(DEEPEN, f"You are {current} at {title}; {asker} {required}.")


def goal_target(title: str, goal: Goal, weight: float, level: Level) -> Reason:
    """The topic is one of the goal's targets, asked at `level`."""
    if goal.slug is None:
        return Reason(GOAL_TARGET, f"{title} is one of your targets.")
    # The default depth goes unsaid, so round-1 sentences read as they did.
    depth = "" if level == DEFAULT_TARGET_LEVEL else f", needed at {level}"
    return Reason(
        GOAL_TARGET, f"{title} is a target of your {goal.slug} goal (weight {weight:g}{depth})."
    )


def unlocks(titles: Sequence[str], goal: Goal) -> Reason:
    """The topic leads to not-yet-known targets of the goal."""
    return Reason(UNLOCKS, f"Unlocks {name_list(titles)} for {_goal_phrase(goal)}.")


def in_progress() -> Reason:
    """The learner has started the topic."""
    return Reason(IN_PROGRESS, "You have already started it.")


def quick_win(hours: float) -> Reason:
    """The topic is short."""
    shown = round(hours, 1)  # depth hours are thirds: "about 2.7 hours", not 2.66667
    unit = "hour" if shown == 1 else "hours"
    return Reason(QUICK_WIN, f"A quick win: about {shown:g} {unit}.")


def groundwork(goal: Goal) -> Reason:
    """The topic is in the goal's closure but leads to no unknown target."""
    return Reason(GROUNDWORK, f"Part of the groundwork for {_goal_phrase(goal)}.")


REVIEW_SHARE = 0.05
"""A review takes this share of the topic's estimated hours, …"""
REVIEW_MINUTES = (10, 45)
"""… within these bounds, in minutes, rounded to 5."""


def review_due(title: str, *, days_since_review: int, hours: float) -> Reason:
    """The learner learned the topic and is losing it."""
    low, high = REVIEW_MINUTES
    minutes = min(high, max(low, 5 * round(hours * 60 * REVIEW_SHARE / 5)))
    return Reason(
        REVIEW_DUE,
        f"You last reviewed {title} {time_ago(days_since_review)}; "
        f"a {minutes}-minute review keeps it.",
    )


def time_ago(days: int) -> str:
    """'today', 'yesterday', '5 days ago', '3 weeks ago', '5 months ago', '2 years ago'."""
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    months = round(days / 30.44)
    if months < 24:
        return f"{months} months ago"
    return f"{days // 365} years ago"


def name_list(titles: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C', or 'A, B, C and 2 more'."""
    if len(titles) > MAX_NAMED:
        shown = ", ".join(titles[:MAX_NAMED])
        return f"{shown} and {len(titles) - MAX_NAMED} more"
    if len(titles) <= 1:
        return "".join(titles)
    return f"{', '.join(titles[:-1])} and {titles[-1]}"


def _goal_phrase(goal: Goal) -> str:
    return "your targets" if goal.slug is None else f"your {goal.slug} goal"
