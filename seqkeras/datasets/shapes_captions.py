"""Captioned images the program draws: coloured shapes at named positions.

Each ``IMAGE_SIZE × IMAGE_SIZE`` RGB image is split into a 2×2 grid; one or two cells
hold a shape (circle, square or triangle) in a colour, with a random size and a
small random offset, on a dark noisy background. The caption names every object in
reading order (top left, top right, bottom left, bottom right), e.g.
``"a red circle top left and a blue square bottom right"`` — so a captioner must
look at the right place for every phrase, which is what attention helps with.
"""

from __future__ import annotations

import numpy as np

IMAGE_SIZE = 32
SHAPES = ("circle", "square", "triangle")
COLOURS = {
    "red": (0.9, 0.1, 0.1),
    "green": (0.1, 0.8, 0.2),
    "blue": (0.15, 0.3, 0.95),
    "yellow": (0.95, 0.9, 0.1),
}
POSITIONS = ("top left", "top right", "bottom left", "bottom right")  # reading order
MAX_OBJECTS = 2
NOISE = 0.05


def _shape_mask(shape: str, cy: float, cx: float, radius: float, size: int) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size].astype("float32")
    if shape == "circle":
        return (y - cy) ** 2 + (x - cx) ** 2 <= radius**2
    if shape == "square":
        return (np.abs(y - cy) <= radius * 0.85) & (np.abs(x - cx) <= radius * 0.85)
    if shape == "triangle":  # apex up
        top, bottom = cy - radius, cy + radius
        half_width = (y - top) / 2.0 * 1.1
        return (y >= top) & (y <= bottom) & (np.abs(x - cx) <= half_width)
    raise ValueError(f"unknown shape {shape!r}; expected one of {SHAPES}")


def draw(
    objects: list[tuple[str, str, str]], rng: np.random.Generator, size: int = IMAGE_SIZE
) -> np.ndarray:
    """An image ``(size, size, 3)`` in [0, 1] with ``(colour, shape, position)`` objects."""
    image = rng.uniform(0.0, NOISE, size=(size, size, 3)).astype("float32")
    cell = size // 2
    for colour, shape, position in objects:
        if colour not in COLOURS:
            raise ValueError(f"unknown colour {colour!r}; expected one of {sorted(COLOURS)}")
        if position not in POSITIONS:
            raise ValueError(f"unknown position {position!r}; expected one of {POSITIONS}")
        row, col = divmod(POSITIONS.index(position), 2)
        radius = rng.uniform(0.25, 0.38) * cell
        cy = row * cell + cell / 2 + rng.uniform(-1.5, 1.5)
        cx = col * cell + cell / 2 + rng.uniform(-1.5, 1.5)
        mask = _shape_mask(shape, cy, cx, radius, size)
        image[mask] = np.asarray(COLOURS[colour], "float32")
    return image


def caption_of(objects: list[tuple[str, str, str]]) -> str:
    """The caption: objects in reading order joined with "and"."""
    ordered = sorted(objects, key=lambda o: POSITIONS.index(o[2]))
    return " and ".join(f"a {colour} {shape} {position}" for colour, shape, position in ordered)


def generate_shape_captions(count: int, seed: int = 0, size: int = IMAGE_SIZE):
    """``(images float32 (count, size, size, 3), captions, objects)``.

    ``objects[i]`` lists the ``(colour, shape, position)`` drawn in image ``i``.
    """
    if not isinstance(count, int) or count < 0:
        raise ValueError(f"count must be a non-negative int, got {count!r}")
    if not isinstance(size, int) or size < 16:
        raise ValueError(f"size must be an int >= 16, got {size!r}")
    rng = np.random.default_rng(seed)
    images = np.zeros((count, size, size, 3), "float32")
    captions, all_objects = [], []
    colours = sorted(COLOURS)
    for i in range(count):
        n = int(rng.integers(1, MAX_OBJECTS + 1))
        cells = rng.choice(len(POSITIONS), size=n, replace=False)
        objects = [
            (colours[rng.integers(len(colours))], SHAPES[rng.integers(len(SHAPES))], POSITIONS[c])
            for c in cells
        ]
        images[i] = draw(objects, rng, size)
        captions.append(caption_of(objects))
        all_objects.append(sorted(objects, key=lambda o: POSITIONS.index(o[2])))
    return images, captions, all_objects
