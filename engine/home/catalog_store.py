"""Persisting the catalog: replaced whole, in one transaction."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import orjson
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.home.catalog import (
    Area,
    Catalog,
    CatalogSource,
    Device,
    Entity,
    Floor,
    Location,
    empty_catalog,
)
from engine.store.dialect import upsert
from engine.store.schema import areas, devices, entities, floors, meta

_META_KEY = "catalog"


async def load_catalog(engine: AsyncEngine) -> Catalog:
    """Return the stored catalog, or an empty one."""
    async with engine.connect() as connection:
        raw = await connection.scalar(select(meta.c.value).where(meta.c.key == _META_KEY))
        if raw is None:
            return empty_catalog()
        header: dict[str, Any] = orjson.loads(raw)
        rows = {
            table.name: [row._asdict() for row in await connection.execute(select(table))]
            for table in (floors, areas, devices, entities)
        }
    location = header.get("location")
    return Catalog(
        source=CatalogSource(header["source"]),
        time_zone=header["time_zone"],
        location=Location(**location) if location else None,
        floors=[Floor(**row) for row in rows["floors"]],
        areas=[Area(**row) for row in rows["areas"]],
        devices=[Device(**row) for row in rows["devices"]],
        # Rows stored before labels were kept have none.
        entities=[Entity(**{**row, "labels": row["labels"] or []}) for row in rows["entities"]],
    )


async def save_catalog(engine: AsyncEngine, catalog: Catalog) -> None:
    """Replace the stored catalog with this one."""
    header = {
        "source": catalog.source.value,
        "time_zone": catalog.time_zone,
        "location": asdict(catalog.location) if catalog.location else None,
    }
    async with engine.begin() as connection:
        # The header first: its row stays locked until commit, so on PostgreSQL (which has
        # no one-writer lock) concurrent replacements take turns instead of both deleting,
        # then both inserting the same entity ids.
        await connection.execute(
            upsert(connection.dialect.name, meta, ["key"], ["value"]),
            {"key": _META_KEY, "value": orjson.dumps(header).decode()},
        )
        for table, items in (
            (entities, catalog.entities),
            (devices, catalog.devices),
            (areas, catalog.areas),
            (floors, catalog.floors),
        ):
            await connection.execute(delete(table))
            if items:
                await connection.execute(table.insert(), [asdict(item) for item in items])
