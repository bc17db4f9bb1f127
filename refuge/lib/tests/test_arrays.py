import numpy as np

from refuge.lib import arrays


def test_sorting_gives_what_np_unique_gives():
    values = np.random.default_rng(0).integers(0, 50, 1000)
    distinct, inverse = arrays.dense(values)
    expected, expected_inverse, expected_counts = np.unique(values, return_inverse=True,
                                                            return_counts=True)
    assert (arrays.distinct(values) == expected).all()
    assert (distinct == expected).all() and (inverse == expected_inverse).all()
    assert (arrays.counted(values)[1] == expected_counts).all()
    assert len(arrays.distinct(np.empty(0, np.int64))) == 0


def test_ranges_lay_out_each_range_in_turn():
    assert arrays.ranges(np.array([5, 0, 9]), np.array([2, 3, 0])).tolist() == [5, 6, 0, 1, 2]


def test_argsort_orders_values_packed_with_their_positions_or_not():
    rng = np.random.default_rng(3)
    for values in (rng.integers(0, 1000, 5000), rng.integers(0, 2**50, 5000),
                   rng.integers(-50, 50, 300), np.array([2**62, 0, 5]), np.array([7])):
        order = arrays.argsort(values)
        assert sorted(order.tolist()) == list(range(len(values)))
        assert (np.diff(values[order]) >= 0).all()
    assert len(arrays.argsort(np.array([], dtype=np.int64))) == 0


def test_ranges_are_32_bit_when_they_fit_and_64_bit_when_they_do_not():
    assert arrays.ranges(np.array([0]), np.array([3])).dtype == np.int32
    far = arrays.ranges(np.array([2**31 - 1]), np.array([2]))
    assert far.dtype == np.int64 and far.tolist() == [2**31 - 1, 2**31]
    assert len(arrays.ranges(np.empty(0, np.int64), np.empty(0, np.int64))) == 0


def test_a_union_built_one_array_at_a_time_is_the_distinct_values_of_them_all():
    rng = np.random.default_rng(5)
    parts = [rng.integers(0, 10_000, size) for size in (0, 1, 500, 3000, 0, 2000)]
    union = np.zeros(0, np.int64)
    for part in parts:
        union = arrays.union(union, part)
    assert union.tolist() == sorted(set(np.concatenate(parts).tolist()))


def test_freed_memory_can_be_given_back_at_any_time():
    arrays.release_freed_memory()  # glibc's malloc_trim, or nothing where there is none
    assert arrays.positions(3).tolist() == [0, 1, 2] and arrays.positions(3).dtype == np.int32
