#!/usr/bin/env python3
"""Draw HomeIQ's brand images into custom_components/homeiq/brand/ (no network, no fonts).

Home Assistant 2026.3+ serves a custom integration's `brand/` folder at
`/api/brands/integration/homeiq/<image>`: icon.png (256x256), icon@2x.png (512x512),
logo.png (shortest side 128-256) and logo@2x.png (shortest side 256-512), each falling
back to the icon. The mark: a house whose window is a light bulb; the logo adds the
word "HomeIQ", drawn from strokes. Run with the engine's environment (numpy):
`.venv/bin/python scripts/brand.py`.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt

BRAND = Path(__file__).resolve().parents[1] / "custom_components" / "homeiq" / "brand"
SUPERSAMPLE = 4
BLUE = (0x03, 0x79, 0xC8)
LIGHT = (0xFF, 0xD5, 0x4F)
INK = (0x1F, 0x2A, 0x37)
WHITE = (0xFF, 0xFF, 0xFF)

type Mask = npt.NDArray[np.bool_]
type Point = tuple[float, float]
type Grid = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]

# The house, in a unit square (x right, y down): roof, walls, floor.
HOUSE = [
    (0.5, 0.04),
    (0.96, 0.45),
    (0.86, 0.45),
    (0.86, 0.96),
    (0.14, 0.96),
    (0.14, 0.45),
    (0.04, 0.45),
]
# The word, as strokes in a 1-unit-high box per letter: segments and arcs (centre, radius,
# from and to angle in degrees, clockwise on screen from 3 o'clock).
type Stroke = tuple[str, tuple[float, ...]]
LETTERS: dict[str, tuple[float, list[Stroke]]] = {
    "H": (
        0.62,
        [("line", (0, 0, 0, 1)), ("line", (0.62, 0, 0.62, 1)), ("line", (0, 0.5, 0.62, 0.5))],
    ),
    "o": (0.56, [("arc", (0.28, 0.72, 0.28, 0, 360))]),
    "m": (
        0.86,
        [
            ("line", (0, 0.44, 0, 1)),
            ("arc", (0.215, 0.66, 0.215, 180, 360)),
            ("line", (0.43, 0.66, 0.43, 1)),
            ("arc", (0.645, 0.66, 0.215, 180, 360)),
            ("line", (0.86, 0.66, 0.86, 1)),
        ],
    ),
    "e": (0.56, [("line", (0, 0.72, 0.56, 0.72)), ("arc", (0.28, 0.72, 0.28, 30, 360))]),
    "I": (0.0, [("line", (0, 0, 0, 1))]),
    "Q": (0.9, [("arc", (0.45, 0.5, 0.45, 0, 360)), ("line", (0.58, 0.72, 0.9, 1.02))]),
}
LETTER_GAP = 0.2
STROKE = 0.13


def _grid(width: int, height: int) -> Grid:
    """Sample centres of a supersampled canvas, in output pixels."""
    ys, xs = np.mgrid[0 : height * SUPERSAMPLE, 0 : width * SUPERSAMPLE]
    return (xs + 0.5) / SUPERSAMPLE, (ys + 0.5) / SUPERSAMPLE


def _polygon(grid: Grid, points: list[tuple[float, float]]) -> Mask:
    """Fill a polygon (even-odd rule)."""
    xs, ys = grid
    inside = np.zeros(xs.shape, dtype=bool)
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        crosses = (y1 > ys) != (y2 > ys)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x1 + (ys - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (xs < at)
    return inside


def _circle(grid: Grid, cx: float, cy: float, r: float) -> Mask:
    xs, ys = grid
    return bool_((xs - cx) ** 2 + (ys - cy) ** 2 <= r * r)


def bool_(values: npt.NDArray[np.bool_]) -> Mask:
    """Return a boolean mask (numpy's comparisons are typed loosely)."""
    return np.asarray(values, dtype=bool)


def _segment(grid: Grid, start: Point, end: Point, width: float) -> Mask:
    """Return a stroke with round caps between two points."""
    xs, ys = grid
    (x1, y1), (x2, y2) = start, end
    dx, dy = x2 - x1, y2 - y1
    length = dx * dx + dy * dy
    t = np.clip(((xs - x1) * dx + (ys - y1) * dy) / length, 0, 1) if length else 0.0
    return bool_(np.hypot(xs - (x1 + t * dx), ys - (y1 + t * dy)) <= width / 2)


def _arc(grid: Grid, centre: Point, r: float, angles: Point, width: float) -> Mask:
    """Return a circular stroke between two angles in degrees (clockwise on screen)."""
    xs, ys = grid
    (cx, cy), (start, end) = centre, angles
    ring = np.abs(np.hypot(xs - cx, ys - cy) - r) <= width / 2
    angle = np.degrees(np.arctan2(ys - cy, xs - cx)) % 360
    if end - start >= 360:
        return bool_(ring)
    span = (angle - start) % 360 <= (end - start) % 360
    caps = np.zeros(xs.shape, dtype=bool)
    for degrees in (start, end):
        px, py = cx + r * np.cos(np.radians(degrees)), cy + r * np.sin(np.radians(degrees))
        caps |= _circle(grid, px, py, width / 2)
    return bool_((ring & span) | caps)


def _mark(grid: Grid, x: float, y: float, size: float) -> list[tuple[Mask, tuple[int, int, int]]]:
    """Return the house with a light bulb for a window, in a `size` square at (x, y)."""
    house = _polygon(grid, [(x + px * size, y + py * size) for px, py in HOUSE])
    cx, cy = x + 0.5 * size, y + 0.6 * size
    bulb = _circle(grid, cx, cy, 0.17 * size)
    neck = _polygon(
        grid,
        [
            (cx - 0.08 * size, cy + 0.1 * size),
            (cx + 0.08 * size, cy + 0.1 * size),
            (cx + 0.07 * size, cy + 0.27 * size),
            (cx - 0.07 * size, cy + 0.27 * size),
        ],
    )
    thread_y = cy + 0.22 * size
    thread = _segment(grid, (cx - 0.06 * size, thread_y), (cx + 0.06 * size, thread_y), 0.03 * size)
    return [(house, BLUE), (bulb | neck, LIGHT), (thread, BLUE)]


def _word(grid: Grid, text: str, x: float, y: float, height: float) -> Mask:
    """Return the word drawn from strokes, its letters `height` high, starting at (x, y)."""
    mask = np.zeros(grid[0].shape, dtype=bool)
    for letter in text:
        width, strokes = LETTERS[letter]
        for kind, values in strokes:
            scaled = [
                x + v * height if i % 2 == 0 else y + v * height for i, v in enumerate(values)
            ]
            if kind == "line":
                x1, y1, x2, y2 = scaled
                mask |= _segment(grid, (x1, y1), (x2, y2), STROKE * height)
            else:
                centre = (scaled[0], scaled[1])
                angles = (values[3], values[4])
                mask |= _arc(grid, centre, values[2] * height, angles, STROKE * height)
        x += (width + LETTER_GAP) * height
    return mask


def _word_width(text: str) -> float:
    return sum(LETTERS[c][0] for c in text) + LETTER_GAP * (len(text) - 1) + STROKE


def _render(width: int, height: int, layers: list[tuple[Mask, tuple[int, int, int]]]) -> bytes:
    """Composite the layers (later on top) on transparency, averaging the supersamples."""
    rgba = np.zeros((height * SUPERSAMPLE, width * SUPERSAMPLE, 4), dtype=np.float64)
    for mask, colour in layers:
        rgba[mask, :3] = colour
        rgba[mask, 3] = 255
    blocks = rgba.reshape(height, SUPERSAMPLE, width, SUPERSAMPLE, 4)
    alpha = blocks[..., 3].mean(axis=(1, 3))
    colour = (blocks[..., :3] * blocks[..., 3:]).sum(axis=(1, 3)) / np.maximum(
        blocks[..., 3:].sum(axis=(1, 3)), 1
    )
    pixels = np.dstack([colour, alpha]).round().astype(np.uint8)
    return _png(pixels)


def _png(pixels: npt.NDArray[np.uint8]) -> bytes:
    """Encode RGBA pixels as a PNG."""
    height, width, _ = pixels.shape
    raw = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def icon(size: int) -> bytes:
    """Return the mark alone, filling a square."""
    grid = _grid(size, size)
    return _render(size, size, _mark(grid, 0, 0, size))


def logo(height: int, *, dark: bool = False) -> bytes:
    """Return the mark and the word beside it."""
    text_height = 0.62 * height
    text_width = _word_width("HomeIQ") * text_height
    gap = 0.18 * height
    width = int(np.ceil(height + gap + text_width))
    grid = _grid(width, height)
    word = _word(
        grid, "HomeIQ", height + gap + STROKE * text_height / 2, 0.19 * height, text_height
    )
    return _render(width, height, [*_mark(grid, 0, 0, height), (word, WHITE if dark else INK)])


def main() -> None:
    """Write every image Home Assistant reads from a custom integration's brand folder."""
    BRAND.mkdir(parents=True, exist_ok=True)
    images = {
        "icon.png": icon(256),
        "icon@2x.png": icon(512),
        "logo.png": logo(128),
        "logo@2x.png": logo(256),
        "dark_logo.png": logo(128, dark=True),
        "dark_logo@2x.png": logo(256, dark=True),
    }
    for name, data in images.items():
        (BRAND / name).write_bytes(data)
        print(f"{BRAND / name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
