"""The ids a stream has read (:mod:`rulebook.document.stream`), kept as their hashes so
that an id used twice across chunks is refused as one machine refuses it."""

from __future__ import annotations

import attrs
import polars as pl

from rulebook.reprs import with_repr

#: The bits a :class:`Seen` filter keeps for each hash it holds, at least, unless it is
#: at its most: a chance hit for about one hash in a hundred at 16.
BITS_PER_HASH = 16

#: The fewest and the most bits of a filter (a quarter of a GiB: past about 1.3·10^8 ids
#: the filter fills and more hashes are looked up in the runs).
FEWEST_BITS, MOST_BITS = 1 << 20, 1 << 31


def most_bits(memory: int) -> int:
    """The most bits a filter may take of a stream's memory setting: a sixteenth of it
    (so that a small setting still leaves its chunks room), a power of two within
    :data:`FEWEST_BITS` and :data:`MOST_BITS`."""
    bits = memory // 16 * 8
    return max(FEWEST_BITS, min(MOST_BITS, 1 << (max(bits, 1).bit_length() - 1)))


@with_repr
@attrs.define(repr=False)
class Seen:
    """The hashes of the ids read: each chunk's sorted (a *run*, 8 bytes a record) and a
    Bloom filter of them all — two bits a hash, one by its high bits, one by its low
    bits, in a bitmap of :data:`BITS_PER_HASH` bits a hash or more. A chunk's hashes whose
    two bits are set (those read before, and by chance a few in a hundred) are looked up
    in every run by binary search; the others were never read. So a chunk costs the same
    however many ids were read before (merging every chunk into all the hashes read, as
    before, cost a pass over them all a chunk: 20 s of a 10^8-record stream)."""

    expected: int = 0  # the ids the log is expected to hold (0: unknown), to size the filter
    most: int = MOST_BITS  # the most bits of the filter (a power of two)
    runs: list[pl.Series] = attrs.field(factory=list)
    bits: pl.Series | None = None
    count: int = 0

    def __attrs_post_init__(self) -> None:
        self._room(self.expected)  # the filter made at once: the budget counts it

    def __len__(self) -> int:
        return self.count

    @property
    def bytes(self) -> int:
        """What the hashes and the filter hold."""
        assert self.bits is not None
        return 8 * self.count + self.bits.len() // 8

    def add(self, hashes: pl.Series) -> pl.Series | None:
        """Add a chunk's ``hashes``; which of them were read before (None: none was)."""
        self._room(self.count + hashes.len())
        assert self.bits is not None
        high, low = self._probes(hashes)
        maybe = hashes.filter(self.bits.gather(high) & self.bits.gather(low))
        again = self._found(maybe.unique().sort()) if maybe.len() else None
        self._set(high, low)
        if hashes.len():  # a chunk of no valid record leaves no run (an empty one has no last)
            self.runs.append(hashes.sort().rename("id"))
        self.count += hashes.len()
        return hashes.is_in(again.implode()) if again is not None and again.len() else None

    def _found(self, maybe: pl.Series) -> pl.Series:
        """Those of the sorted hashes ``maybe`` that some run holds."""
        found = pl.repeat(False, maybe.len(), eager=True, dtype=pl.Boolean)
        for run in self.runs:
            at = run.search_sorted(maybe).clip(upper_bound=run.len() - 1)
            found = found | (run.gather(at) == maybe)
        return maybe.filter(found)

    def _probes(self, hashes: pl.Series) -> tuple[pl.Series, pl.Series]:
        assert self.bits is not None
        size = self.bits.len()  # a power of two, at most 2^32: high and low bits apart
        return hashes // ((1 << 64) // size), hashes % size

    def _room(self, count: int) -> None:
        """A filter of at least :data:`BITS_PER_HASH` bits for each of ``count`` hashes
        (at first, of the ids expected), at most :attr:`most`, made anew from the runs
        when it grows."""
        if self.bits is not None and self.bits.len() >= min(self.most, count * BITS_PER_HASH):
            return
        wanted = max(count, self.expected) * BITS_PER_HASH
        size = max(FEWEST_BITS, 1 << (wanted - 1).bit_length())
        if self.bits is not None:
            size = max(size, self.bits.len() * 4)  # grown four times: made anew seldom
        self.bits = pl.repeat(False, min(self.most, size), eager=True, dtype=pl.Boolean)
        for run in self.runs:
            self._set(*self._probes(run))

    def _set(self, high: pl.Series, low: pl.Series) -> None:
        assert self.bits is not None
        self.bits.scatter(high, True)
        self.bits.scatter(low, True)
