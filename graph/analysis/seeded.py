"""igraph's random choices made repeatable.

igraph draws from one process-wide random number generator (Python's
``random`` module unless told otherwise), so Louvain communities differed
from one start to the next — and so did their colours. :func:`seeded_igraph`
lends igraph a generator seeded for one computation and gives the shared one
back afterwards; a lock keeps two threads (warm-up and a request) from
swapping it under each other.

>>> import igraph as ig
>>> h = ig.Graph.Famous("Zachary")
>>> with seeded_igraph(0):
...     first = h.community_multilevel().membership
>>> with seeded_igraph(0):
...     first == h.community_multilevel().membership
True
"""

from __future__ import annotations

import random
import threading
from contextlib import contextmanager
from typing import Iterator

import igraph as ig

_LOCK = threading.Lock()


@contextmanager
def seeded_igraph(seed: int) -> Iterator[None]:
    """igraph draws from ``random.Random(seed)`` inside the block (one thread at a time)."""
    with _LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)
