"""Drawn shapes: every caption is true of its pixels."""

import numpy as np
import pytest

from seqkeras.datasets.shapes_captions import (
    COLOURS,
    IMAGE_SIZE,
    POSITIONS,
    caption_of,
    generate_shape_captions,
)


def test_captions_describe_the_pixels():
    images, captions, objects = generate_shape_captions(60, seed=4)
    assert images.shape == (60, IMAGE_SIZE, IMAGE_SIZE, 3) and images.dtype == np.float32
    half = IMAGE_SIZE // 2
    for image, caption, objs in zip(images, captions, objects, strict=False):
        assert caption == caption_of(objs)
        named = {position: colour for colour, _, position in objs}
        for index, position in enumerate(POSITIONS):
            row, col = divmod(index, 2)
            cell = image[row * half : (row + 1) * half, col * half : (col + 1) * half].reshape(
                -1, 3
            )
            bright = cell[cell.max(axis=1) > 0.5]
            if position in named:
                assert len(bright) > 10
                # the pixels are exactly the named colour
                np.testing.assert_allclose(
                    bright, np.tile(COLOURS[named[position]], (len(bright), 1)), atol=1e-6
                )
            else:
                assert len(bright) == 0


def test_reading_order_and_determinism():
    caption = caption_of([("blue", "square", "bottom right"), ("red", "circle", "top left")])
    assert caption == "a red circle top left and a blue square bottom right"
    a = generate_shape_captions(5, seed=9)
    b = generate_shape_captions(5, seed=9)
    assert a[1] == b[1] and np.array_equal(a[0], b[0])
    with pytest.raises(ValueError, match="count"):
        generate_shape_captions(-2)
