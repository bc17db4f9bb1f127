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
