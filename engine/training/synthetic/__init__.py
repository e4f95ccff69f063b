"""Seeded, deterministic synthetic Home Assistant homes with planted habits (ground truth)."""

from engine.training.synthetic.generator import (
    ALL_HOME_TYPES,
    DEFAULT_END,
    HOME_TYPES,
    SyntheticHome,
    generate_home,
)

__all__ = ["ALL_HOME_TYPES", "DEFAULT_END", "HOME_TYPES", "SyntheticHome", "generate_home"]
