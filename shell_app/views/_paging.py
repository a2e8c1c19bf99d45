from __future__ import annotations

from dataclasses import dataclass

from flask import request

PAGE_SIZE = 25


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def current_page(size: int = PAGE_SIZE) -> Page:
    try:
        number = int(request.args.get("page", "1"))
    except ValueError:
        number = 1
    return Page(number=min(max(number, 1), 10_000), size=size)
