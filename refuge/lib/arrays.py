"""Distinct values of large integer arrays by sorting, and ragged ranges.

numpy 2.x's `np.unique` takes a hash-table path that is tens of times slower than a
sort on the tens of millions of pair codes that matching handles (34 s against 0.4 s
for 20 million int64 values), so matching uses these instead.
"""

import ctypes
import ctypes.util

import numpy as np

try:
    _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _libc.malloc_trim  # noqa: B018 - glibc only
except (OSError, AttributeError):
    _libc = None


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted."""
    ordered = np.sort(values)
    return ordered[_firsts(ordered)]


def release_freed_memory() -> None:
    """Give the memory of freed arrays back to the system. glibc keeps a freed block in
    its heap once its threshold for mapping blocks on their own has risen past the block's
    size (it rises with every large block freed), and each thread has a heap of its own,
    so without this a long numpy computation's resident size only grows."""
    if _libc is not None:
        _libc.malloc_trim(0)


def index_type(count: int) -> type:
    """The integer type for positions below `count`: 32 bits when they fit, half the
    memory of numpy's default for the tens of millions of pairs matching handles."""
    return np.int32 if count < 2**31 else np.int64


def positions(count: int) -> np.ndarray:
    """0 .. count - 1, in `index_type(count)`."""
    return np.arange(count, dtype=index_type(count))


def union(ordered: np.ndarray, more: np.ndarray) -> np.ndarray:
    """The distinct values of both, sorted; `ordered` must be distinct and sorted already.
    Only the new values are added, and the two sorted runs are merged (numpy's stable sort
    of integers is a timsort, which merges runs in one pass), so a union built up one
    array at a time never holds more than the result and the array being added."""
    more = distinct(more)
    if len(ordered):
        at = np.searchsorted(ordered, more).clip(max=len(ordered) - 1)
        more = more[ordered[at] != more]
    joined = np.concatenate([ordered, more])
    joined.sort(kind="stable")
    return joined


def argsort(values: np.ndarray) -> np.ndarray:
    """The order that sorts the integers, not necessarily stable.

    numpy sorts int64 values with SIMD instructions, but its argsort does not: on ten
    million values 0.16 s against 1.0-1.5 s. When each value and its position fit in 63
    bits together, the positions ride in the low bits of one sort instead."""
    values = np.asarray(values)
    bits = max(1, (len(values) - 1).bit_length())
    if (len(values) and values.dtype.kind in "iu" and int(values.min()) >= 0
            and int(values.max()) < 1 << (63 - bits)):
        packed = np.sort((values.astype(np.int64) << bits) | np.arange(len(values)))
        return packed & ((1 << bits) - 1)
    return np.argsort(values)


def dense(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, sorted, and for each value its index among them."""
    order = argsort(values)
    ordered = values[order]
    first = _firsts(ordered)
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def counted(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, sorted, and how often each occurs."""
    ordered = np.sort(values)
    starts = np.flatnonzero(_firsts(ordered))
    return ordered[starts], np.diff(np.r_[starts, len(ordered)])


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The ranges starts[i] .. starts[i] + lengths[i] - 1, one after another, without a
    Python loop: ranges([5, 0], [2, 3]) is [5, 6, 0, 1, 2]."""
    starts, lengths = np.asarray(starts, dtype=np.int64), np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    # Two arrays of the result's length and no more, in 32 bits when they fit: the
    # blocking rules' tens of millions of pairs made several 64-bit ones at once.
    kind = index_type(max(total, int((starts + lengths).max(initial=0))))
    # Element k of range i is starts[i] + k, at position offset[i] + k of the result.
    result = np.repeat((starts - (np.cumsum(lengths) - lengths)).astype(kind), lengths)
    result += np.arange(total, dtype=kind)
    return result


def _firsts(ordered: np.ndarray) -> np.ndarray:
    return np.r_[True, ordered[1:] != ordered[:-1]] if len(ordered) else np.zeros(0, bool)
