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
