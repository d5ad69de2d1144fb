"""Rendered answers kept per catalog snapshot, bounded by their size in bytes.

Every catalog read and every plan is a pure function of the snapshot and the request's
arguments, so its JSON, once rendered, can be served again until the catalog changes (a new
snapshot starts with an empty cache). What is kept is bounded in bytes, not in entries: a
topic's detail is a kilobyte, a roadmap over 10,000 topics a megabyte.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import orjson

from api.observability.kept import mark_kept_body

DEFAULT_BUDGET_BYTES = 32 * 1024 * 1024
# An answer larger than this share of the budget is rendered every time: keeping it would push
# out many small, frequently asked ones.
LARGEST_SHARE = 8


class AnswerCache:
    """JSON renderings by key, least recently used dropped first once over the budget."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        self._budget = budget_bytes
        self._used = 0
        self._answers: OrderedDict[Hashable, bytes] = OrderedDict()
        # Answers may be kept from a worker thread too (work a Database runs on the thread pool).
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._answers)

    @property
    def used_bytes(self) -> int:
        return self._used

    def get(self, key: Hashable) -> bytes | None:
        """The answer kept for `key`, if any."""
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def json(self, key: Hashable, build: Callable[[], Any]) -> bytes:
        """The JSON of `build()`, rendered once for `key`. `build` may raise (a 404, a 422):
        nothing is kept then."""
        return self.rendered(key, lambda: orjson.dumps(build()))

    def rendered(self, key: Hashable, render: Callable[[], bytes]) -> bytes:
        """`render()`, made once for `key` (as `json`, for an answer rendered otherwise)."""
        found = self.get(key)
        if found is not None:
            mark_kept_body()
            return found
        made = render()
        self.keep(key, made)
        return made

    def keep(self, key: Hashable, rendered: bytes) -> None:
        """Keep `rendered` for `key`, unless it is too large a share of the budget."""
        if len(rendered) > self._budget // LARGEST_SHARE:
            return
        with self._lock:
            previous = self._answers.pop(key, None)
            if previous is not None:
                self._used -= len(previous)
            self._answers[key] = rendered
            self._used += len(rendered)
            while self._used > self._budget:
                _, dropped = self._answers.popitem(last=False)
                self._used -= len(dropped)
