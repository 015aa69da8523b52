"""One page of a list, with the page numbers a pager shows (catalogue, submitted files)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def iter_pages(self) -> Iterator[int | None]:
        """Page numbers around the current one, with None for a gap."""
        shown = sorted(
            {1, self.pages}
            | {n for n in range(self.page - 2, self.page + 3) if 1 <= n <= self.pages}
        )
        previous = 0
        for n in shown:
            if n - previous > 1:
                yield None
            yield n
            previous = n
