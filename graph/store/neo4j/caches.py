"""The bounded caches of query mode: least recently used first out.

>>> lru = LRU(2)
>>> lru.put({"a": 1, "b": 2}); lru.get_many(["a"]); lru.put({"c": 3})
{'a': 1}
>>> sorted(lru.get_many(["a", "b", "c"]))
['a', 'c']
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Iterable

__all__ = ["LRU"]


class LRU:
    """A bounded, thread-safe ``{key: value}`` that forgets the least recently used first."""

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: Iterable[Any]) -> dict[Any, Any]:
        out = {}
        with self._lock:
            for key in keys:
                if key in self._data:
                    self._data.move_to_end(key)
                    out[key] = self._data[key]
        return out

    def put(self, items: dict[Any, Any]) -> None:
        with self._lock:
            for key, value in items.items():
                self._data[key] = value
                self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def get_or_fetch(self, keys: Iterable[Any], fetch: Callable[[list[Any]], dict[Any, Any]]) -> dict[Any, Any]:
        """``{key: value}`` of ``keys`` (deduplicated, in order): held values,
        and for the others what ``fetch(missing keys)`` returns (kept for next
        time). Keys neither held nor fetched are left out.

        >>> LRU(4).get_or_fetch(["a", "b", "a"], lambda missing: {k: k.upper() for k in missing if k != "b"})
        {'a': 'A'}
        """
        wanted = list(dict.fromkeys(keys))
        known = self.get_many(wanted)
        missing = [k for k in wanted if k not in known]
        if missing:
            fetched = fetch(missing)
            self.put(fetched)
            known.update(fetched)
        return {k: known[k] for k in wanted if k in known}

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
