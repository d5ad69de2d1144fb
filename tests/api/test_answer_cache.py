"""The kept answers of a snapshot stay within their byte budget, most recently used kept."""

import orjson
import pytest

from api.catalog.answers import LARGEST_SHARE, AnswerCache


def test_an_answer_is_rendered_once_per_key():
    cache = AnswerCache()
    calls: list[str] = []

    def build() -> dict[str, int]:
        calls.append("built")
        return {"answer": 42}

    assert cache.json("key", build) == b'{"answer":42}'
    assert cache.json("key", build) == b'{"answer":42}'
    assert calls == ["built"]
    assert cache.get("other") is None


def test_the_least_recently_used_answers_go_first_beyond_the_budget():
    body = {"text": "x" * 90}  # 103 bytes of JSON
    size = len(orjson.dumps(body))
    cache = AnswerCache(budget_bytes=size * 3)
    # Answers larger than budget / LARGEST_SHARE are not kept; this budget keeps none.
    cache.json("a", lambda: body)
    assert len(cache) == 0

    cache = AnswerCache(budget_bytes=size * LARGEST_SHARE * 2)
    for key in range(2 * LARGEST_SHARE):
        cache.json(key, lambda: body)
    assert len(cache) == 2 * LARGEST_SHARE
    assert cache.get(0) is not None  # 0 is now the most recently used
    cache.json("new", lambda: body)
    assert cache.get(1) is None
    assert cache.get(0) is not None
    assert cache.used_bytes <= size * LARGEST_SHARE * 2


def test_a_build_that_raises_keeps_nothing():
    cache = AnswerCache()

    def missing() -> dict[str, int]:
        raise LookupError("no such topic")

    with pytest.raises(LookupError):
        cache.json("key", missing)
    assert cache.get("key") is None
    assert cache.used_bytes == 0
