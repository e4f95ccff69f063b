"""Home Assistant's automations and their configs, mirrored for "already covered" checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.ha.client import HomeAssistantClient
from engine.ha.errors import HomeAssistantCommandError
from engine.home.catalog import Catalog
from engine.store.schema import ha_automations


@dataclass(frozen=True)
class MirroredAutomation:
    """An automation of Home Assistant: its entity, its config id and its config."""

    entity_id: str
    automation_id: str | None
    config: dict[str, Any]


async def fetch_automations(
    client: HomeAssistantClient, catalog: Catalog
) -> list[MirroredAutomation]:
    """Read the config of every automation entity (YAML and UI-made alike)."""
    found = []
    for entity in catalog.entities:
        if entity.domain != "automation":
            continue
        try:
            answer = await client.command(
                {"type": "automation/config", "entity_id": entity.entity_id}
            )
        except HomeAssistantCommandError:
            # An automation whose config Home Assistant could not load has none to compare.
            continue
        config = answer.get("config") if isinstance(answer, dict) else None
        if isinstance(config, dict):
            automation_id = (entity.attributes or {}).get("id")
            found.append(
                MirroredAutomation(
                    entity.entity_id,
                    str(automation_id) if automation_id is not None else None,
                    config,
                )
            )
    return found


async def save_automations(engine: AsyncEngine, automations: Sequence[MirroredAutomation]) -> None:
    """Replace the mirrored automations in one transaction."""
    async with engine.begin() as connection:
        await connection.execute(delete(ha_automations))
        if automations:
            await connection.execute(
                insert(ha_automations),
                [
                    {
                        "entity_id": a.entity_id,
                        "automation_id": a.automation_id,
                        "config": a.config,
                    }
                    for a in automations
                ],
            )


async def load_automations(engine: AsyncEngine) -> list[MirroredAutomation]:
    """Return the automations as last mirrored."""
    async with engine.connect() as connection:
        rows = (await connection.execute(select(ha_automations))).all()
    return [MirroredAutomation(row.entity_id, row.automation_id, row.config) for row in rows]
