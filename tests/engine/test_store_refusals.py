"""The store refuses impossible events from any source, not only from the import route."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from engine.store.events import (
    CLOCK_SKEW_US,
    MAX_ENTITY_ID_LENGTH,
    NewEvent,
    Origin,
    now_us,
)

from .hostile import open_store

_HOUR_US = 3600 * 1_000_000


async def test_live_sources_cannot_store_an_impossible_event(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine, store = await open_store(tmp_path)
    try:
        now = now_us()
        good = [
            NewEvent("light.kitchen", now - _HOUR_US, "on", Origin.SYSTEM),
            NewEvent("light.kitchen", now + CLOCK_SKEW_US - _HOUR_US, "off", Origin.SYSTEM),
        ]
        bad = [
            # A Home Assistant or InfluxDB with a wrong clock, a typo, a huge id.
            NewEvent("light.kitchen", now + CLOCK_SKEW_US + _HOUR_US, "on", Origin.SYSTEM),
            NewEvent("light.kitchen", -1, "on", Origin.SYSTEM),
            NewEvent("light." + "a" * MAX_ENTITY_ID_LENGTH, now, "on", Origin.MANUAL),
        ]
        with caplog.at_level(logging.WARNING, "engine.store.events"):
            result = await store.write([good[0], *bad, good[1]])
        assert (result.imported, result.duplicates, result.refused) == (2, 0, 3)
        assert await store.bounds() == (good[0].time_us, good[1].time_us)
        assert caplog.text.count("Refused 3 events") == 1
    finally:
        await engine.dispose()
