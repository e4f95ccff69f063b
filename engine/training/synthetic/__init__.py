"""Seeded, deterministic synthetic Home Assistant homes with planted habits (ground truth)."""

from engine.training.synthetic.generator import (
    DEFAULT_END,
    HOME_TYPES,
    SyntheticHome,
    generate_home,
)

__all__ = ["DEFAULT_END", "HOME_TYPES", "SyntheticHome", "generate_home"]
