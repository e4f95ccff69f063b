"""Booleans are not numbers: JSON's true never passes where a body expects a number."""

from __future__ import annotations

from typing import Any

import pytest
import voluptuous as vol

from engine.errors import BadRequestError
from engine.validation import validate

from .conftest import AUTH, Client
from .hostile import error_of

FLOOR_WITH_TRUE_LEVEL = {
    "time_zone": "UTC",
    "floors": [{"floor_id": "g", "name": "G", "level": True}],
}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/analysis/run", {"days": True}, "days"),
        ("/api/v1/suggestions/generate", {"limit": True}, "limit"),
        ("/api/v1/synthetic/home", {"days": True}, "days"),
        ("/api/v1/synthetic/home", {"seed": False}, "seed"),
        ("/api/v1/deployment/automation_x/rollback", {"version": True}, "version"),
        ("/api/v1/home/import", FLOOR_WITH_TRUE_LEVEL, "floors.0.level"),
        (
            "/api/v1/home/import",
            {"time_zone": "UTC", "location": {"latitude": True, "longitude": 0}},
            "location.latitude",
        ),
    ],
)
async def test_booleans_are_not_numbers(
    client: Client, path: str, body: dict[str, Any], field: str
) -> None:
    error = await error_of(await client.post(path, json=body, headers=AUTH))
    assert error["code"] == "bad_request"
    assert error["details"]["field"] == field


def test_strict_validation_reaches_nested_schemas_and_coercions() -> None:
    schema = vol.Schema(
        {
            "nested": vol.Schema({"n": int}),
            "listed": [vol.All(int, vol.Range(min=0))],
            "coerced": vol.Coerce(float),
            "flag": bool,
        }
    )
    good = {"nested": {"n": 1}, "listed": [0, 2], "coerced": 2, "flag": True}
    assert validate(schema, good) == {**good, "coerced": 2.0}
    for bad, field in [
        ({"nested": {"n": True}}, "nested.n"),
        ({"listed": [1, False]}, "listed.1"),
        ({"coerced": True}, "coerced"),
    ]:
        with pytest.raises(BadRequestError) as refused:
            validate(schema, bad)
        assert refused.value.details["field"] == field
    # The module's schema itself is left as it was.
    assert schema({"coerced": True, "listed": [False]}) == {"coerced": 1.0, "listed": [False]}
