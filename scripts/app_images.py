#!/usr/bin/env python3
"""Draw the app's icon.png (128x128) and logo.png (100 high) from HomeIQ's brand mark.

The Supervisor's app store shows an app folder's icon.png (square, 128x128 recommended)
and logo.png (about 100 high); they are the integration's images (scripts/brand.py) at
those sizes. Run with the engine's environment: `.venv/bin/python scripts/app_images.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# Found through the path set just above.
from brand import icon, logo

APP = Path(__file__).resolve().parents[1] / "homeiq_engine"
ICON_SIZE = 128
LOGO_HEIGHT = 100


def main() -> None:
    """Write the app folder's icon and logo."""
    for name, data in (("icon.png", icon(ICON_SIZE)), ("logo.png", logo(LOGO_HEIGHT))):
        (APP / name).write_bytes(data)
        print(f"{APP / name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
