"""A learner's gaps against a goal: planner.gaps over the catalog snapshot."""

from typing import Any

from api.catalog.snapshot import CatalogSnapshot
from planner import Goal, LearnerState
from planner.gaps import Target, TargetGap, readiness, target_gaps

READINESS_DECIMALS = 4


def gaps_body(snapshot: CatalogSnapshot, goal: Goal, state: LearnerState) -> bytes:
    """The Gaps response body, as JSON; the snapshot keeps it per goal and learner state."""
    return snapshot.answers.json(("gaps", goal, state), lambda: _gaps(snapshot, goal, state))


def _gaps(snapshot: CatalogSnapshot, goal: Goal, state: LearnerState) -> dict[str, Any]:
    levels = dict(goal.levels)
    targets = sorted(
        (Target(slug=slug, weight=weight, level=levels[slug]) for slug, weight in goal.weights),
        key=lambda target: (-target.weight, target.slug),
    )
    topics = snapshot.topics
    gaps = target_gaps(
        targets,
        levels=state.effective_levels(),
        hours={target.slug: topics[target.slug].summary["estimated_hours"] for target in targets},
    )
    by_area: dict[str, list[TargetGap]] = {}
    for gap in gaps:
        by_area.setdefault(topics[gap.target.slug].area, []).append(gap)
    return {
        "goal": goal.slug,
        "goal_reached": all(gap.met for gap in gaps),
        "readiness": round(readiness(gaps), READINESS_DECIMALS),
        "targets": [
            {
                "topic": topics[gap.target.slug].summary,
                "weight": gap.target.weight,
                "required_level": gap.target.level,
                "current_level": gap.current,
                "met": gap.met,
                "hours_to_close": round(gap.hours_to_close, 6),
            }
            for gap in gaps
        ],
        "areas": [
            {
                "area": area["slug"],
                "targets": len(in_area),
                "met": sum(gap.met for gap in in_area),
                "readiness": round(readiness(in_area), READINESS_DECIMALS),
            }
            for area in snapshot.areas
            if (in_area := by_area.get(area["slug"]))
        ],
    }
