"""Topic search over the catalog snapshot: every word typed must match, in any order and in the
forms a person types it (any case, singular or plural, with or without hyphens), against a
topic's title, tags, summary and slug; the best matches come first.

A topic's words are indexed once per snapshot; a query is a handful of dictionary look-ups
per topic, the same on every database, because catalog reads never reach SQL.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

# How much a word found in each field counts: a word of the title says more about a topic
# than one of its summary.
TITLE_WEIGHT = 4.0
TAG_WEIGHT = 3.0
SLUG_WEIGHT = 2.0
SUMMARY_WEIGHT = 1.0
# A query word that only begins an indexed word ("regress" for "regression") counts this share.
PREFIX_SHARE = 0.5
# A prefix shorter than this matches too much to mean anything ("a" begins half the catalog).
MIN_PREFIX_LENGTH = 3
# Counted once when the words typed appear together, in order, in the title or a tag.
PHRASE_BONUS = 5.0

# Words a person adds to a query that no topic is about ("intro to neural networks"). They are
# ignored unless the query holds nothing else.
_FILLER_WORDS = frozenset(
    {"a", "an", "and", "the", "of", "to", "in", "on", "for", "with", "by", "or", "is", "are"}
    | {"what", "how", "introduction", "intro"}
)
# Plurals the suffix rules below would get wrong.
_IRREGULAR = {
    "matrices": "matrix",
    "vertices": "vertex",
    "indices": "index",
    "analyses": "analysis",
    "hypotheses": "hypothesis",
    "bases": "basis",
}
# A word, with what follows an apostrophe (straight or typographic) so it can be dropped.
_WORD = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)?")
_POSSESSIVE = re.compile(r"['\u2019][a-z]*$")
_COMPOUND = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
# Distinct words whose indexed form is remembered. A catalog repeats its words from topic to
# topic (a snapshot of 10,000 topics indexes 110,000 words); the bound keeps what queries add
# from growing it without end.
_REMEMBERED_WORDS = 65_536


def stem(word: str) -> str:
    """The singular form of an English word, by simple suffix rules (no dictionary)."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=_REMEMBERED_WORDS)
def _indexed_form(word: str) -> str:
    """A lower-case word as it is indexed: its possessive dropped, then stemmed."""
    return stem(_POSSESSIVE.sub("", word))


def words(text: str) -> list[str]:
    """The stemmed words of `text`: lower case, split at anything but letters and digits
    ("linear-algebra" is two words), possessives dropped ("bayes'" and "bayes" alike)."""
    return [_indexed_form(word) for word in _WORD.findall(text.lower())]


def _joined_compounds(text: str) -> list[str]:
    """Hyphenated compounds written as one word too, so "kmeans" finds "k-means"."""
    return [
        _indexed_form(compound.replace("-", "")) for compound in _COMPOUND.findall(text.lower())
    ]


@dataclass(frozen=True, slots=True)
class SearchTerms:
    """What one topic can be found by: each word with the weight of the best field holding
    it, and the word sequences of its title and tags for phrase matches."""

    weights: Mapping[str, float]
    phrases: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, *, slug: str, title: str, summary: str, tags: Iterable[str]) -> "SearchTerms":
        tags = list(tags)
        weights: dict[str, float] = {}
        fields = [
            (title, TITLE_WEIGHT),
            (" ".join(tags), TAG_WEIGHT),
            (slug, SLUG_WEIGHT),
            (summary, SUMMARY_WEIGHT),
        ]
        for text, weight in fields:
            for word in [*words(text), *_joined_compounds(text)]:
                if weights.get(word, 0.0) < weight:
                    weights[word] = weight
        phrases = tuple(tuple(words(text)) for text in [title, *tags])
        return cls(weights=weights, phrases=phrases)

    def score(self, query: "SearchQuery") -> float:
        """How well the topic matches; 0 when a word of the query is missing."""
        total = 0.0
        for word in query.words:
            best = self.weights.get(word, 0.0)
            if best == 0.0 and len(word) >= MIN_PREFIX_LENGTH:
                best = PREFIX_SHARE * max(
                    (w for known, w in self.weights.items() if known.startswith(word)),
                    default=0.0,
                )
            if best == 0.0:
                return 0.0
            total += best
        if len(query.words) > 1 and any(_contains(p, query.words) for p in self.phrases):
            total += PHRASE_BONUS
        return total


def _contains(sequence: tuple[str, ...], part: tuple[str, ...]) -> bool:
    size = len(part)
    return any(sequence[i : i + size] == part for i in range(len(sequence) - size + 1))


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """The words a person typed, in the forms they are indexed in."""

    words: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> "SearchQuery":
        typed = words(text)
        meaningful = [word for word in typed if word not in _FILLER_WORDS]
        # Word order is kept for phrase matches; a word typed twice counts once.
        return cls(words=tuple(dict.fromkeys(meaningful or typed)))
