"""Every exercise check accepts the right answer and rejects wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.exercises import lesson01 as exercises

keras = pytest.importorskip("keras")


def test_output_shape_check():
    assert exercises.check_output_shape((2, 5, 5, 32))
    assert exercises.check_output_shape([2, 5, 5, 32])
    for wrong in [(2, 11, 11, 32), (5, 5, 32), (2, 5, 5, 64), (2, 6, 6, 32)]:
        assert not exercises.check_output_shape(wrong)
    assert not exercises.check_output_shape(None)


def test_conv_params_check():
    assert exercises.check_conv_params(5 * 5 * 3 * 16 + 16)
    assert not exercises.check_conv_params(5 * 5 * 3 * 16)  # forgot the biases
    assert not exercises.check_conv_params(None)


@pytest.mark.parametrize("kernel", [[[-1, 0, 1]] * 3, [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
                                    [[0, 0, 0], [-1, 1, 0], [0, 0, 0]]])
def test_vertical_edge_kernels_pass(kernel):
    assert exercises.check_vertical_edge_kernel(kernel)


@pytest.mark.parametrize("kernel", [
    None,
    [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],        # horizontal edges
    [[1 / 9] * 3] * 3,                           # blur: responds to flat areas
    [[0, -1, 0], [-1, 4, -1], [0, -1, 0]],       # Laplacian: responds to horizontal edges too
    [[0] * 3] * 3,                               # no response at all
    [[-1, 1], [-1, 1]],                          # not 3x3
])
def test_other_kernels_fail(kernel):
    assert not exercises.check_vertical_edge_kernel(kernel)


def test_lowest_recall_check_reads_rows_as_true_classes():
    counts = np.array([[8, 2, 0], [5, 5, 0], [1, 0, 9]])
    names = ["cat", "dog", "ship"]
    assert exercises.check_lowest_recall_class("dog", counts, names)
    assert not exercises.check_lowest_recall_class("cat", counts, names)
    assert not exercises.check_lowest_recall_class(None, counts, names)
    tied = np.array([[5, 5], [5, 5]])
    assert exercises.check_lowest_recall_class("b", tied, ["a", "b"])
