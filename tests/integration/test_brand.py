"""The brand images Home Assistant 2026.3+ serves from a custom integration's brand/ folder."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).parents[2]
BRAND = REPO / "custom_components" / "homeiq" / "brand"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header (an RGBA image, as the brands repository asks)."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height, depth, colour_type = struct.unpack(">IIBB", data[16:26])
    assert (depth, colour_type) == (8, 6)
    return width, height


@pytest.mark.parametrize(("name", "size"), [("icon.png", 256), ("icon@2x.png", 512)])
def test_the_icon_is_square_at_its_size(name: str, size: int) -> None:
    assert _size(BRAND / name) == (size, size)


@pytest.mark.parametrize(
    ("name", "shortest"),
    [
        ("logo.png", (128, 256)),
        ("logo@2x.png", (256, 512)),
        ("dark_logo.png", (128, 256)),
        ("dark_logo@2x.png", (256, 512)),
    ],
)
def test_the_logo_is_landscape_with_its_shortest_side_in_range(
    name: str, shortest: tuple[int, int]
) -> None:
    width, height = _size(BRAND / name)
    assert width > height
    assert shortest[0] <= height <= shortest[1]


def test_only_images_home_assistant_reads_are_shipped() -> None:
    # homeassistant/components/brands/const.py ALLOWED_IMAGES (2026.3+).
    allowed = {
        f"{dark}{kind}{scale}.png"
        for dark in ("", "dark_")
        for kind in ("icon", "logo")
        for scale in ("", "@2x")
    }
    names = {path.name for path in BRAND.iterdir()}
    assert {"icon.png", "icon@2x.png", "logo.png", "logo@2x.png"} <= names
    assert names <= allowed


def _drawer() -> ModuleType:
    """scripts/brand.py, which draws the images (a script, not a package)."""
    spec = importlib.util.spec_from_file_location("brand", REPO / "scripts" / "brand.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_images_are_what_the_script_draws() -> None:
    brand = _drawer()
    assert (BRAND / "icon.png").read_bytes() == brand.icon(256)
    assert (BRAND / "logo.png").read_bytes() == brand.logo(128)
