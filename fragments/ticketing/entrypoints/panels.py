"""Customer panels as last rendered, reused while nothing they show has changed.

The key is everything the panel shows: the customer's tickets' version (raised by every write to any
of them, read from the graph on each request: the explicit invalidation, shared by every process and
instance), the product names, the viewer's role and the path the links are built under. Staff open
the same customers again and again; a hit costs one index lookup instead of reading and rendering up
to 50 tickets. Per process, bounded, least recently used out first.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable


class RenderedPanels:
    def __init__(self, size: int = 2000):
        self.size = size
        self._items: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> str:
        with self._lock:
            html = self._items.get(key)
            if html is not None:
                self._items.move_to_end(key)
                return html
        html = render()
        with self._lock:
            self._items[key] = html
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return html

    def __len__(self) -> int:
        return len(self._items)
