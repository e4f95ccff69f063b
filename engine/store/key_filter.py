"""Which keys a table may hold, in fixed memory: a Bloom filter."""

# The cache knows which keys its table holds so that a new request (most are new) misses
# without a read. A set of the keys grew with every request ever made, for as long as the
# engine ran (a 10-minute soak: ~9 MB); this filter keeps 256 KB whatever it holds. It may
# say yes for a key never added (then the table is read, and misses), never no for one
# added. Written here: the Bloom filter libraries on PyPI are either unmaintained or a
# native wheel more for every platform Home Assistant runs on, for thirty lines.

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Final

# 2^21 bits (256 KB) and 7 probes: under 1 in 100,000 false yeses at 50,000 keys (a soak's
# worth of requests), under 1 in 100 at 200,000.
_BITS: Final = 1 << 21
_PROBES: Final = 7


class KeyFilter:
    """A set of strings that answers "maybe" or "no", in fixed memory."""

    __slots__ = ("_bits",)

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._bits = bytearray(_BITS // 8)
        for key in keys:
            self.add(key)

    def add(self, key: str) -> None:
        """Remember a key."""
        bits = self._bits
        for position in _positions(key):
            bits[position >> 3] |= 1 << (position & 7)

    def __contains__(self, key: object) -> bool:
        """Return False when the key was never added (True may be wrong, rarely)."""
        if not isinstance(key, str):
            return False
        bits = self._bits
        return all(bits[position >> 3] >> (position & 7) & 1 for position in _positions(key))


def _positions(key: str) -> Iterator[int]:
    """Yield a key's bit positions: two hashes combined (Kirsch and Mitzenmacher)."""
    digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
    first = int.from_bytes(digest[:8], "little")
    step = int.from_bytes(digest[8:], "little") | 1
    for probe in range(_PROBES):
        yield (first + probe * step) & (_BITS - 1)
