"""The shipped question bank (seed/questions.yaml) and the checks that guard question files."""

import copy
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from models.questions import MAX_QUESTIONS_PER_TOPIC
from seed.paths import DEFAULT_CATALOG_PATH, DEFAULT_QUESTIONS_PATH
from seed.schema import (
    CatalogFileError,
    CatalogSeed,
    load_catalog_file,
    load_seed_catalog,
    parse_catalog,
)
from tests.seed.test_seed_catalog import small_catalog


@pytest.fixture(scope="module")
def catalog() -> CatalogSeed:
    return load_seed_catalog()


def test_every_seeded_topic_has_at_least_three_questions(catalog: CatalogSeed):
    for topic in catalog.topics:
        assert 3 <= len(catalog.questions.get(topic.slug, ())) <= MAX_QUESTIONS_PER_TOPIC, topic


def test_the_goals_targets_have_four_or_five(catalog: CatalogSeed):
    targets = {target.topic for goal in catalog.goals for target in goal.targets}
    assert targets
    for slug in targets:
        assert len(catalog.questions[slug]) in (4, 5), slug


def test_the_bank_is_keyed_in_the_catalogs_topic_order(catalog: CatalogSeed):
    assert list(catalog.questions) == [topic.slug for topic in catalog.topics]


def test_right_answers_are_spread_over_the_positions(catalog: CatalogSeed):
    questions = [q for bank in catalog.questions.values() for q in bank]
    positions = Counter(q.right_choice for q in questions)
    # Four choices per question are the norm: no position may hold the answer much more often.
    for position in range(4):
        assert 0.15 < positions[position] / len(questions) < 0.35, positions
    for slug, bank in catalog.questions.items():
        assert len({q.right_choice for q in bank}) > 1, f"{slug}: always the same position"


def test_questions_probe_several_levels(catalog: CatalogSeed):
    levels = Counter(q.level for bank in catalog.questions.values() for q in bank)
    assert set(levels) == {"aware", "practiced", "proficient", "expert"}
    for slug, bank in catalog.questions.items():
        assert len({q.level for q in bank}) > 1, f"{slug}: one level only"


def test_no_question_repeats_a_prompt_or_an_explanation(catalog: CatalogSeed):
    questions = [q for bank in catalog.questions.values() for q in bank]
    assert len({q.prompt for q in questions}) == len(questions)
    assert len({q.explanation for q in questions}) == len(questions)


def _bank() -> dict[str, Any]:
    question = {
        "prompt": "Which is right?",
        "choices": ["this one", "that one", "neither"],
        "right_choice": 0,
        "explanation": "Because.",
        "level": "aware",
    }
    return {
        slug: [{**question, "prompt": f"Q{n} on {slug}?"} for n in range(3)]
        for slug in ("vectors", "calculus")
    }


def _first(raw: dict[str, Any]) -> dict[str, Any]:
    first: dict[str, Any] = raw["questions"]["vectors"][0]
    return first


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (lambda raw: _first(raw).update(right_choice=3), "right_choice 3 is out of range"),
        (lambda raw: _first(raw).update(right_choice=-1), "greater than or equal to 0"),
        (lambda raw: _first(raw).update(choices=["a", "b", "A "]), "duplicate choice 'a'"),
        (lambda raw: _first(raw).update(choices=["alone"]), "at least 2 items"),
        (lambda raw: _first(raw).update(choices=list("abcdefg")), "at most 6 items"),
        (lambda raw: _first(raw).update(choices=["yes", 0.5]), "should be a valid string"),
        (lambda raw: _first(raw).update(explanation="  "), "explanation"),
        (lambda raw: _first(raw).pop("explanation"), "explanation: Field required"),
        (lambda raw: _first(raw).update(level="guru"), "level"),
        (lambda raw: _first(raw).update(answer=1), "Extra inputs are not permitted"),
        (lambda raw: raw["questions"]["vectors"].pop(), "vectors: Tuple should have at least 3"),
        (
            lambda raw: raw["questions"].update(cooking=_bank()["vectors"]),
            "unknown topic 'cooking'",
        ),
        (
            lambda raw: raw["questions"]["calculus"][1].update(prompt="Q0 on calculus?"),
            "duplicate prompt 'Q0 on calculus?'",
        ),
    ],
)
def test_the_seed_check_refuses_bad_questions(
    spoil: Callable[[dict[str, Any]], object], expected: str
) -> None:
    raw = {**small_catalog(), "questions": _bank()}
    parse_catalog(copy.deepcopy(raw))  # the unspoilt bank is fine
    spoil(raw)
    with pytest.raises(CatalogFileError) as refused:
        parse_catalog(raw)
    assert expected in str(refused.value)


def test_a_question_file_is_added_to_a_catalog_without_questions(tmp_path: Path):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(small_catalog()), encoding="utf-8")
    questions = tmp_path / "questions.yaml"
    questions.write_text(yaml.safe_dump({"questions": _bank()}), encoding="utf-8")

    loaded = load_catalog_file(catalog, questions=questions)

    assert [len(bank) for bank in loaded.questions.values()] == [3, 3]
    assert load_catalog_file(catalog).questions == {}


def test_questions_cannot_come_from_two_files(tmp_path: Path):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump({**small_catalog(), "questions": _bank()}), encoding="utf-8")
    with pytest.raises(CatalogFileError, match="has questions of its own"):
        load_catalog_file(catalog, questions=DEFAULT_QUESTIONS_PATH)


def test_a_question_file_holds_only_questions(tmp_path: Path):
    questions = tmp_path / "questions.yaml"
    questions.write_text(yaml.safe_dump({"questions": {}, "topics": []}), encoding="utf-8")
    with pytest.raises(CatalogFileError, match="single key 'questions'"):
        load_catalog_file(DEFAULT_CATALOG_PATH, questions=questions)


def test_the_right_answer_is_not_usually_the_longest(catalog: CatalogSeed):
    # A test-wise learner picks the longest, most qualified choice; the bank must not reward it.
    questions = [q for bank in catalog.questions.values() for q in bank]
    longest = [
        q
        for q in questions
        if len(q.choices[q.right_choice])
        > max(len(c) for n, c in enumerate(q.choices) if n != q.right_choice)
    ]
    assert len(longest) / len(questions) < 0.45
