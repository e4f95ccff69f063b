"""Validation issues, and the path in an automation config that each points at."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

type Path = tuple[str | int, ...]
type Severity = Literal["error", "warning"]


def format_path(path: Path) -> str:
    """Return a path as the API shows it, e.g. "actions[0].target.entity_id"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One thing wrong with, or worth knowing about, an automation config."""

    code: str
    message: str
    path: str
    severity: Severity = "error"

    def as_dict(self) -> dict[str, str]:
        """Return the issue as the API shows it."""
        return {"code": self.code, "message": self.message, "path": self.path}


def issue(code: str, message: str, path: Path, severity: Severity = "error") -> ValidationIssue:
    """Return an issue at a path of the config."""
    return ValidationIssue(code, message, format_path(path), severity)
