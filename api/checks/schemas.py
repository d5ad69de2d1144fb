"""Check shapes: a learner's answers and the graded result."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.fields import RequestBody
from models.questions import MAX_CHOICES
from planner.levels import Level

# Room for a client that repeats or adds questions: the service names each problem (422).
MAX_ANSWERS = 100


class Answer(RequestBody):
    """The choice made for one question."""

    question: int = Field(ge=1, le=2**31 - 1, description="The question's id.")
    choice: int = Field(ge=0, description="Index of the chosen choice, from 0.")


class CheckSubmission(RequestBody):
    """One answer for every question of the topic, each exactly once, in any order."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "answers": [
                        {"question": 17, "choice": 1},
                        {"question": 18, "choice": 0},
                        {"question": 19, "choice": 3},
                    ]
                }
            ]
        }
    )

    answers: list[Answer] = Field(min_length=1, max_length=MAX_ANSWERS)


class QuestionResult(BaseModel):
    """How one answer was graded, with the right choice and why it is right."""

    question: int = Field(description="The question's id.")
    choice: int = Field(ge=0, lt=MAX_CHOICES, description="The choice given.")
    correct: bool
    right_choice: int = Field(ge=0, lt=MAX_CHOICES)
    explanation: str


class CheckRead(BaseModel):
    """A graded check, as returned when taken and as listed later."""

    id: int
    topic: str = Field(examples=["bias-variance"], description="The topic's slug.")
    score: int = Field(ge=0, le=100, description="round(100 * correct / total).")
    correct: int = Field(ge=0)
    total: int = Field(ge=1)
    awarded_level: Level | None = Field(
        description="≥ 90 proficient, ≥ 60 practiced, ≥ 30 aware; null below 30."
    )
    results: list[QuestionResult]
    taken_at: datetime
