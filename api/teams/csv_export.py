"""The matrix and coverage as CSV, for the spreadsheet managers keep (`Accept: text/csv`)."""

import csv
import io
from collections.abc import Iterable, Sequence

from api.teams.service import Coverage, TeamStanding

CSV_MEDIA_TYPE = "text/csv"
# A cell starting with one of these is a formula to a spreadsheet: a display name such as
# `=HYPERLINK(...)` must arrive as text (OWASP's advice on CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def wants_csv(accept: str | None) -> bool:
    """Whether an `Accept` header prefers CSV to JSON: CSV must be asked for by name, with a
    quality above JSON's if that is named too (a tie answers JSON, the API's default)."""
    if not accept:
        return False
    qualities: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        qualities[media] = max(quality, qualities.get(media, 0.0))
    csv_quality = qualities.get(CSV_MEDIA_TYPE, 0.0)
    return csv_quality > 0 and csv_quality > qualities.get("application/json", 0.0)


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _render(rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180
    writer.writerows(rows)
    return buffer.getvalue()


def matrix_csv(standing: TeamStanding) -> str:
    """One row per member: member_id, display_name, readiness, then the level on each target
    (empty for none)."""
    header = ["member_id", "display_name", "readiness", *(t.slug for t in standing.targets)]
    rows: list[Sequence[object]] = [header]
    for entry in standing.members:
        levels = ["" if gap.current is None else gap.current.value for gap in entry.gaps]
        rows.append(
            [entry.member.id, _text(entry.member.display_name), round(entry.readiness, 4), *levels]
        )
    return _render(rows)


def coverage_csv(found: Coverage) -> str:
    """One row per target: topic, required_level, met, total, short (member ids separated by
    spaces) and hours_to_close."""
    header = ["topic", "required_level", "met", "total", "short", "hours_to_close"]
    rows: list[Sequence[object]] = [header]
    for entry in found.targets:
        short = " ".join(str(member) for member in entry.short)
        rows.append(
            [
                entry.target.slug,
                entry.target.level.value,
                entry.met,
                entry.total,
                short,
                entry.hours_to_close,
            ]
        )
    return _render(rows)
