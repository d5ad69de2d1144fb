"""Typed model of the seed catalog file and the checks that make it safe to load."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from models.catalog import SLUG_LENGTH, URL_LENGTH
from models.questions import (
    CHOICE_LENGTH,
    MAX_CHOICES,
    MAX_QUESTIONS_PER_TOPIC,
    MIN_CHOICES,
    MIN_QUESTIONS_PER_TOPIC,
    PROMPT_LENGTH,
)
from planner.levels import DEFAULT_TARGET_LEVEL, Level
from seed.paths import DEFAULT_CATALOG_PATH, DEFAULT_QUESTIONS_PATH

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MAX_HOURS = 10_000

_T = TypeVar("_T", bound=Hashable)

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=SLUG_LENGTH)]
Tag = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=40)]
# Stripped before the length check, so the schema says: at least one non-space character.
NOT_BLANK_PATTERN = r"\S"
_NOT_BLANK = Field(json_schema_extra={"pattern": NOT_BLANK_PATTERN})
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), _NOT_BLANK
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), _NOT_BLANK
]
Hours = Annotated[float, Field(gt=0, le=MAX_HOURS, strict=True)]
ResourceKind = Literal["course", "book", "video", "article", "paper", "exercise", "docs"]

_HTTP_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)


def _check_http_url(value: str) -> str:
    """Check `value` is an http(s) URL, returning the text as given: the URL is a natural key."""
    _HTTP_URL.validate_python(value)
    if value != value.strip() or any(ch.isspace() for ch in value):
        raise ValueError("URL must not contain whitespace")
    return value


# The pattern documents (a safe subset of) what `_check_http_url` accepts: an http(s) URL.
_URL_SCHEMA = {"pattern": r"^https?://[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(/[!-~]*)?$"}
Url = Annotated[
    str,
    StringConstraints(max_length=URL_LENGTH),
    Field(json_schema_extra=_URL_SCHEMA),
    AfterValidator(_check_http_url),
]


class CatalogFileError(ValueError):
    """The seed file is invalid; the message names the problem."""


class AreaSeed(BaseModel):
    """One of the skill areas that group topics."""

    # Unknown keys are typos in the file, and seed data must not change once loaded.
    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: Slug
    title: Title
    description: LongText
    position: int = Field(ge=1, le=1000, strict=True)


class TopicSeed(BaseModel):
    """One thing to learn, with the topics it needs first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: Slug
    title: Title
    area: Slug
    level: int = Field(ge=1, le=5, strict=True)
    estimated_hours: Hours
    summary: LongText
    tags: tuple[Tag, ...] = Field(default=(), max_length=20)
    prerequisites: tuple[Slug, ...] = Field(default=(), max_length=50)


class ResourceSeed(BaseModel):
    """A course, book, video, article, paper, exercise or docs page that teaches topics."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Title
    url: Url
    kind: ResourceKind
    provider: Title
    free: bool = Field(strict=True)
    hours: Hours
    topics: tuple[Slug, ...] = Field(min_length=1, max_length=50)


class GoalTargetSeed(BaseModel):
    """A topic a goal aims at, how much it matters to that goal and how deep the goal needs it
    known (DESIGN.md §7; `proficient` when the file leaves it out)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    topic: Slug
    weight: float = Field(gt=0, le=1, strict=True)
    level: Level = DEFAULT_TARGET_LEVEL


class GoalSeed(BaseModel):
    """A reason to learn, as weighted target topics."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: Slug
    title: Title
    description: LongText
    targets: tuple[GoalTargetSeed, ...] = Field(min_length=1, max_length=200)


Prompt = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=PROMPT_LENGTH),
    _NOT_BLANK,
]
# Strict: a YAML choice such as `0.5` must be quoted, or it would silently become "0.5".
Choice = Annotated[
    str,
    Strict(),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=CHOICE_LENGTH),
    _NOT_BLANK,
]


class QuestionSeed(BaseModel):
    """A multiple-choice self-check question on a topic, with its answer and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: Prompt
    choices: tuple[Choice, ...] = Field(min_length=MIN_CHOICES, max_length=MAX_CHOICES)
    right_choice: int = Field(ge=0, strict=True, description="Index of the right choice.")
    explanation: LongText
    level: Level = Field(description="The depth of knowledge the question probes.")

    @model_validator(mode="after")
    def _check_choices(self) -> QuestionSeed:
        problems = question_problems(self.choices, self.right_choice)
        if problems:
            raise ValueError("; ".join(problems))
        return self


def question_problems(choices: Iterable[str], right_choice: int) -> list[str]:
    """What is wrong with a question's choices and right choice (shared with the admin API)."""
    listed = list(choices)
    problems = [
        f"duplicate choice '{choice}'"
        for choice in _duplicates(" ".join(c.split()).casefold() for c in listed)
    ]
    if not 0 <= right_choice < len(listed):
        problems.append(
            f"right_choice {right_choice} is out of range for {len(listed)} choices "
            f"(0 to {len(listed) - 1})"
        )
    return problems


TopicQuestions = Annotated[
    tuple[QuestionSeed, ...],
    Field(min_length=MIN_QUESTIONS_PER_TOPIC, max_length=MAX_QUESTIONS_PER_TOPIC),
]


class CatalogSeed(BaseModel):
    """The whole seed file; constructing one runs every cross-entity check."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    areas: tuple[AreaSeed, ...] = Field(min_length=1)
    topics: tuple[TopicSeed, ...] = Field(min_length=1)
    resources: tuple[ResourceSeed, ...] = ()
    goals: tuple[GoalSeed, ...] = ()
    # Keyed by topic slug, in file order. The shipped questions live in their own file
    # (seed/questions.yaml); an export writes them into this section.
    questions: dict[Slug, TopicQuestions] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_references(self) -> CatalogSeed:
        problems = catalog_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def edges(self) -> list[tuple[str, str]]:
        """Every prerequisite edge as (prerequisite, topic), in file order."""
        return [(prereq, topic.slug) for topic in self.topics for prereq in topic.prerequisites]


def _duplicates(values: Iterable[_T]) -> list[_T]:
    """Values that occur more than once, in first-seen order."""
    counts = Counter(values)
    return [value for value, count in counts.items() if count > 1]


def catalog_problems(catalog: CatalogSeed) -> list[str]:
    """Every cross-entity problem in `catalog`, each as a sentence naming what is wrong."""
    problems: list[str] = []
    problems += [f"duplicate area slug '{s}'" for s in _duplicates(a.slug for a in catalog.areas)]
    problems += [
        f"duplicate area position {p}" for p in _duplicates(a.position for a in catalog.areas)
    ]
    problems += [f"duplicate topic slug '{s}'" for s in _duplicates(t.slug for t in catalog.topics)]
    problems += [f"duplicate goal slug '{s}'" for s in _duplicates(g.slug for g in catalog.goals)]
    problems += [
        f"duplicate resource url '{u}'" for u in _duplicates(r.url for r in catalog.resources)
    ]

    area_slugs = {area.slug for area in catalog.areas}
    topic_slugs = {topic.slug for topic in catalog.topics}
    for topic in catalog.topics:
        where = f"topic '{topic.slug}'"
        if topic.area not in area_slugs:
            problems.append(f"{where}: unknown area '{topic.area}'")
        problems += [f"{where}: duplicate tag '{tag}'" for tag in _duplicates(topic.tags)]
        problems += [
            f"{where}: duplicate prerequisite '{p}'" for p in _duplicates(topic.prerequisites)
        ]
        for prereq in dict.fromkeys(topic.prerequisites):
            if prereq == topic.slug:
                problems.append(f"{where}: is its own prerequisite")
            elif prereq not in topic_slugs:
                problems.append(f"{where}: unknown prerequisite '{prereq}'")

    for resource in catalog.resources:
        where = f"resource '{resource.url}'"
        problems += [f"{where}: duplicate topic '{t}'" for t in _duplicates(resource.topics)]
        problems += [
            f"{where}: unknown topic '{t}'"
            for t in dict.fromkeys(resource.topics)
            if t not in topic_slugs
        ]

    for goal in catalog.goals:
        where = f"goal '{goal.slug}'"
        slugs = [target.topic for target in goal.targets]
        problems += [f"{where}: duplicate target '{t}'" for t in _duplicates(slugs)]
        problems += [
            f"{where}: unknown target topic '{t}'"
            for t in dict.fromkeys(slugs)
            if t not in topic_slugs
        ]

    for slug, questions in catalog.questions.items():
        where = f"questions of '{slug}'"
        if slug not in topic_slugs:
            problems.append(f"{where}: unknown topic '{slug}'")
        problems += [
            f"{where}: duplicate prompt '{p}'" for p in _duplicates(q.prompt for q in questions)
        ]

    # Self edges are reported above; a cycle is only meaningful among real, distinct topics.
    sound_edges = [
        (prereq, topic)
        for prereq, topic in catalog.edges()
        if prereq != topic and prereq in topic_slugs
    ]
    cycle = find_cycle(sound_edges)
    if cycle is not None:
        problems.append("prerequisite cycle: " + " -> ".join(cycle))
    return problems


def find_cycle(edges: Iterable[tuple[str, str]]) -> list[str] | None:
    """A cycle among (prerequisite, topic) edges as [a, b, ..., a], or None for a DAG.

    Iterative depth-first search, so a long prerequisite chain cannot hit the recursion limit;
    nodes and neighbours are visited in sorted order so the same graph names the same cycle.
    """
    successors: dict[str, set[str]] = {}
    for prereq, topic in edges:
        successors.setdefault(prereq, set()).add(topic)
        successors.setdefault(topic, set())
    ordered = {node: sorted(targets) for node, targets in successors.items()}

    finished: set[str] = set()
    for root in sorted(ordered):
        if root in finished:
            continue
        path: list[str] = [root]
        on_path: dict[str, int] = {root: 0}
        pending: list[Iterator[str]] = [iter(ordered[root])]
        while pending:
            node = next(pending[-1], None)
            if node is None:
                done = path.pop()
                del on_path[done]
                finished.add(done)
                pending.pop()
                continue
            if node in on_path:
                return [*path[on_path[node] :], node]
            if node not in finished:
                on_path[node] = len(path)
                path.append(node)
                pending.append(iter(ordered[node]))
    return None


def _format_location(loc: tuple[int | str, ...], raw: object) -> str:
    """Render a pydantic error location as `topics[3] 'transformers'.level` for humans."""
    text = ""
    node: object = raw
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            if isinstance(node, Mapping):
                name = node.get("slug", node.get("url", node.get("topic")))
                if isinstance(name, str):
                    text += f" '{name}'"
        else:
            text += f".{part}" if text else part
            node = node.get(part) if isinstance(node, Mapping) else None
    return text


def _describe_validation_error(error: ValidationError, raw: object) -> str:
    """One message listing every problem pydantic found, each with its location."""
    messages = []
    for detail in error.errors():
        context = detail.get("ctx") or {}
        # A ValueError raised by our own checks already names its subject; pydantic's
        # "Value error, " prefix would only add noise.
        cause = context.get("error")
        message = str(cause) if detail["type"] == "value_error" and cause else detail["msg"]
        location = _format_location(tuple(detail["loc"]), raw)
        messages.append(f"{location}: {message}" if location else message)
    return "invalid seed catalog: " + "; ".join(messages)


def parse_catalog(raw: object) -> CatalogSeed:
    """Validate already-parsed YAML/JSON data as a catalog, or raise CatalogFileError."""
    if not isinstance(raw, Mapping):
        raise CatalogFileError(
            f"invalid seed catalog: expected a mapping at the top level, got {type(raw).__name__}"
        )
    try:
        return CatalogSeed.model_validate(raw)
    except ValidationError as error:
        raise CatalogFileError(_describe_validation_error(error, raw)) from error


def _read_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogFileError(f"cannot read seed catalog {path}: {error}") from error
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise CatalogFileError(f"seed catalog {path} is not valid YAML: {error}") from error


def read_question_file(path: Path) -> object:
    """The `questions` section of a question file (YAML `questions: {topic slug: [...]}`)."""
    raw = _read_yaml(path)
    if not isinstance(raw, Mapping) or set(raw) != {"questions"}:
        raise CatalogFileError(f"{path}: expected a mapping with the single key 'questions'")
    return raw["questions"]


def load_catalog_file(path: Path, *, questions: Path | None = None) -> CatalogSeed:
    """Read and validate the YAML catalog at `path`, with the questions of the file
    `questions` if given, or raise CatalogFileError."""
    raw = _read_yaml(path)
    if questions is not None:
        if isinstance(raw, Mapping) and "questions" in raw:
            raise CatalogFileError(f"{path} has questions of its own; {questions} would add more")
        if isinstance(raw, Mapping):
            raw = {**raw, "questions": read_question_file(questions)}
    try:
        return parse_catalog(raw)
    except CatalogFileError as error:
        raise CatalogFileError(f"{path}: {error}") from error


def load_seed_catalog() -> CatalogSeed:
    """The shipped catalog: seed/catalog.yaml with the question bank of seed/questions.yaml."""
    return load_catalog_file(DEFAULT_CATALOG_PATH, questions=DEFAULT_QUESTIONS_PATH)
