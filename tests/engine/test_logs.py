"""Logging redacts every secret, wherever in the record it appears."""

from __future__ import annotations

import io
import json
import logging

import pytest

from engine.logs import REDACTED, JsonFormatter, SecretRedactingFilter, TextFormatter

SECRET = "s3cr3t-token-value"


@pytest.fixture
def stream() -> io.StringIO:
    return io.StringIO()


def _logger(stream: io.StringIO, formatter: logging.Formatter) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(SecretRedactingFilter([SECRET, "other-secret"]))
    logger = logging.getLogger(f"test.redaction.{id(stream)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()])
def test_secrets_are_redacted_everywhere(stream: io.StringIO, formatter: logging.Formatter) -> None:
    logger = _logger(stream, formatter)
    logger.info("message %s", SECRET)
    logger.warning("in extra", extra={"url": f"http://x/?token={SECRET}"})
    try:
        raise ValueError(f"failed with {SECRET}")
    except ValueError:
        logger.exception("boom")
    output = stream.getvalue()
    assert SECRET not in output
    assert output.count(REDACTED) >= 3


def test_json_lines_carry_fields(stream: io.StringIO) -> None:
    logger = _logger(stream, JsonFormatter())
    logger.info("Store ready", extra={"events": 12})
    entry = json.loads(stream.getvalue())
    assert entry["message"] == "Store ready"
    assert entry["events"] == 12
    assert entry["level"] == "INFO"
