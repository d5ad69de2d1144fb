"""Question shapes: what a learner sees before answering, and what an admin writes."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.fields import LongText, PatchBody, RequestBody
from models.questions import MAX_CHOICES, MAX_QUESTIONS_PER_TOPIC, MIN_CHOICES
from planner.levels import Level
from seed.schema import Choice, Prompt

_EXAMPLE: dict[str, Any] = {
    "prompt": "A model has 2% training error and 15% validation error. What is the main problem?",
    "choices": ["High bias (underfitting)", "High variance (overfitting)", "Too few features"],
    "right_choice": 1,
    "explanation": "The large gap between training and validation error is the sign of variance.",
    "level": "practiced",
}


class QuestionRead(BaseModel):
    """A question as a learner sees it before answering: no right choice, no explanation."""

    id: int = Field(examples=[17])
    prompt: str
    choices: list[str] = Field(description="Answer with the index of a choice, from 0.")
    level: Level = Field(description="The depth of knowledge the question probes.")


class TopicQuestions(BaseModel):
    """A topic's questions, in order: every one must be answered in a check."""

    topic: str = Field(examples=["bias-variance"], description="The topic's slug.")
    items: list[QuestionRead] = Field(max_length=MAX_QUESTIONS_PER_TOPIC)


class QuestionAdminRead(QuestionRead):
    """A question with its answer, as its admin author sees it."""

    topic: str = Field(examples=["bias-variance"], description="The topic's slug.")
    right_choice: int = Field(ge=0, description="Index of the right choice.")
    explanation: str
    position: int = Field(description="Order within the topic.")


class QuestionCreate(RequestBody):
    """A new question; the same rules as the seed file's questions. Distinct choices and a
    `right_choice` within them are checked by the service (422 `invalid-input`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    prompt: Prompt
    choices: list[Choice] = Field(min_length=MIN_CHOICES, max_length=MAX_CHOICES)
    right_choice: int = Field(ge=0, lt=MAX_CHOICES, description="Index of the right choice.")
    explanation: LongText
    level: Level


class QuestionUpdate(PatchBody):
    """Fields to change on a question; omitted fields keep their value. The result must still
    be a valid question (a `right_choice` within the choices, no duplicate choices)."""

    prompt: Prompt | None = None
    choices: list[Choice] | None = Field(
        default=None, min_length=MIN_CHOICES, max_length=MAX_CHOICES
    )
    right_choice: int | None = Field(default=None, ge=0, lt=MAX_CHOICES)
    explanation: LongText | None = None
    level: Level | None = None
