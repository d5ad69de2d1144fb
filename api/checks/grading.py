"""Grading a check: pure rules on plain values (DESIGN.md §7)."""

from planner.levels import Level

# The lowest score that awards each level, highest first: 3 questions give 100, 67, 33, 0,
# so all three right award proficient, two practiced, one aware.
_AWARD_THRESHOLDS = ((90, Level.PROFICIENT), (60, Level.PRACTICED), (30, Level.AWARE))


def score_of(correct: int, total: int) -> int:
    """round(100 * correct / total), halves rounded up, in exact integer arithmetic."""
    return (200 * correct + total) // (2 * total)


def awarded_level(score: int) -> Level | None:
    """The level a score awards: ≥ 90 proficient, ≥ 60 practiced, ≥ 30 aware, else none.
    A check never awards expert: expertise is teaching and design, not multiple choice."""
    for threshold, level in _AWARD_THRESHOLDS:
        if score >= threshold:
            return level
    return None
