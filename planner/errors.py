"""The planner's own exceptions."""


class UnknownTopic(LookupError):
    """A slug that names no topic of the catalog graph."""

    def __init__(self, slug: str) -> None:
        super().__init__(slug)
        self.slug = slug

    def __str__(self) -> str:
        return f"unknown topic: {self.slug!r}"
