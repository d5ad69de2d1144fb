"""Shapes of the account's export and deletion."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.auth.schemas import CurrentPassword, LearnerRead
from api.checks.schemas import CheckRead
from api.fields import RequestBody
from api.progress.schemas import ProgressEventRead, ProgressRead


class HistoryEventRead(ProgressEventRead):
    """One change to one of the learner's progress records."""

    topic: str = Field(
        examples=["linear-regression"], description="The topic's slug (it outlives the topic)."
    )


class AccountExport(BaseModel):
    """Everything stored about the caller (GDPR art. 20)."""

    account: LearnerRead
    progress: list[ProgressRead]
    history: list[HistoryEventRead] = Field(description="Every change, oldest first.")
    checks: list[CheckRead] = Field(description="Self-checks taken, newest first, as graded.")
    reviews: list[dict[str, Any]] = Field(description="Spaced-review schedules and their logs.")
    teams: list[dict[str, Any]] = Field(description="Team memberships and invitations.")


class AccountDeletion(RequestBody):
    """The account's password, to confirm its deletion."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"password": "a long passphrase"}]})

    password: CurrentPassword
