"""A cursor whose numbers no database column holds is a 400, in every paged listing."""

from __future__ import annotations

import base64
import json

import pytest

from engine.home.event_input import utc_now

from .conftest import AUTH, Client
from .hostile import error_of, event, import_events


def _cursor(position: object) -> str:
    # json, not orjson: orjson cannot even write integers beyond 64 bits.
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "position",
    [[2**64, 1], [2**63, 1], [1, 2**63], [-(2**63) - 1, 1], [1e300, 1]],
    ids=["2^64", "2^63", "id 2^63", "-2^63-1", "float"],
)
async def test_out_of_range_events_cursor_is_400(client: Client, position: object) -> None:
    await import_events(client, [event(utc_now())])
    response = await client.get(
        "/api/v1/events", params={"cursor": _cursor(position)}, headers=AUTH
    )
    error = await error_of(response)
    assert error["details"]["field"] == "cursor"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/patterns",
        "/api/v1/synergies",
        "/api/v1/suggestions",
        "/api/v1/analysis/runs",
        "/api/v1/training/runs",
    ],
)
async def test_out_of_range_score_or_time_cursor_is_400(client: Client, path: str) -> None:
    response = await client.get(path, params={"cursor": _cursor([2**63, "x"])}, headers=AUTH)
    error = await error_of(response)
    assert error["details"]["field"] == "cursor"
