"""The API bearer token: from the environment, else generated once into the data directory."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from engine.errors import SettingsError

TOKEN_FILE_NAME = "api_token"  # noqa: S105 - a file name, not a secret


@dataclass(frozen=True, slots=True)
class ApiToken:
    """The token and where it came from (never printed by repr)."""

    value: str
    source: str
    created: bool = False

    def __repr__(self) -> str:
        return f"ApiToken(source={self.source!r}, created={self.created})"


def load_or_create_token(configured: str | None, data_dir: Path) -> ApiToken:
    """Return the configured token, the stored one, or a new one stored with mode 0600."""
    if configured:
        return ApiToken(configured, "HOMEIQ_API_TOKEN")
    path = data_dir / TOKEN_FILE_NAME
    data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        created = _store_new_token(path)
        if created is not None:
            return ApiToken(created, str(path), created=True)
    value = path.read_text(encoding="utf-8").strip()
    if len(value) < 16:
        raise SettingsError(f"{path} does not hold a valid token; delete it to make a new one")
    return ApiToken(value, str(path))


def _store_new_token(path: Path) -> str | None:
    """Write a new token beside `path`, then link it into place; None if another won."""
    value = secrets.token_urlsafe(32)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        # link() never replaces: a crash leaves no half-written token, two starts keep one.
        os.link(temporary, path)
    except FileExistsError:
        return None
    finally:
        temporary.unlink(missing_ok=True)
    return value
