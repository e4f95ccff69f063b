"""Deployments and their versions in the database, as the API shows them."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from engine.automation.deployment.versions import content_hash, version_diff
from engine.automation.deployment.wire import Deployment, Version
from engine.errors import NotFoundError
from engine.store.schema import deployment_versions, deployments

type Status = Literal["deployed", "disabled", "removed"]


def _iso(epoch_s: float) -> str:
    """Return a stored time (never null in these tables) as ISO 8601 UTC."""
    return datetime.fromtimestamp(epoch_s, UTC).isoformat()


def deployment_dict(row: Row[Any]) -> Deployment:
    """Return a deployment row as the API's Deployment."""
    return {
        "automation_id": row.automation_id,
        "entity_id": row.entity_id,
        "version": row.version,
        "status": row.status,
        "suggestion_id": row.suggestion_id,
        "deployed_at": _iso(row.deployed_at),
    }


def version_dict(row: Row[Any]) -> Version:
    """Return a version row as the API shows it."""
    return {
        "version": row.version,
        "created_at": _iso(row.created_at),
        "automation": row.automation,
        "diff": row.diff,
    }


@dataclass(frozen=True, slots=True)
class Recorded:
    """A deployment after a write, and whether the write changed anything."""

    deployment: Deployment
    changed: bool


class DeploymentStore:
    """Reads and writes the deployments and deployment_versions tables."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, automation_id: str) -> Deployment | None:
        """Return a deployment, or None."""
        async with self._engine.connect() as connection:
            row = await _row(connection, automation_id)
        return None if row is None else deployment_dict(row)

    async def require(self, automation_id: str) -> Deployment:
        """Return a deployment; 404 when the engine never deployed that id."""
        async with self._engine.connect() as connection:
            return deployment_dict(await _existing_row(connection, automation_id))

    async def list_all(self) -> list[Deployment]:
        """Return every deployment, most recently deployed first."""
        query = select(deployments).order_by(
            deployments.c.deployed_at.desc(), deployments.c.automation_id
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [deployment_dict(row) for row in rows]

    async def watched_ids(self) -> set[str]:
        """Return the ids of deployments Home Assistant should still hold."""
        query = select(deployments.c.automation_id).where(deployments.c.status != "removed")
        async with self._engine.connect() as connection:
            return set((await connection.scalars(query)).all())

    async def versions(self, automation_id: str) -> list[Version]:
        """Return a deployment's versions, oldest first; 404 for an unknown id."""
        await self.require(automation_id)
        query = (
            select(deployment_versions)
            .where(deployment_versions.c.automation_id == automation_id)
            .order_by(deployment_versions.c.version)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [version_dict(row) for row in rows]

    async def version(self, automation_id: str, version: int) -> dict[str, Any] | None:
        """Return one version's config, or None."""
        query = select(deployment_versions.c.automation).where(
            deployment_versions.c.automation_id == automation_id,
            deployment_versions.c.version == version,
        )
        async with self._engine.connect() as connection:
            found: dict[str, Any] | None = await connection.scalar(query)
        return found

    async def previous_version(self, automation_id: str, version: int) -> int | None:
        """Return the newest version before `version`, or None."""
        query = select(func.max(deployment_versions.c.version)).where(
            deployment_versions.c.automation_id == automation_id,
            deployment_versions.c.version < version,
        )
        async with self._engine.connect() as connection:
            found: int | None = await connection.scalar(query)
        return found

    async def record_deploy(
        self,
        automation: Mapping[str, Any],
        *,
        entity_id: str,
        suggestion_id: str | None,
    ) -> Recorded:
        """Store a deployed config: a version (only for new content) and the deployment row."""
        automation_id = str(automation["id"])
        digest = content_hash(automation)
        now = time.time()
        async with self._engine.begin() as connection:
            current = await _row(connection, automation_id)
            version = await connection.scalar(
                select(deployment_versions.c.version).where(
                    deployment_versions.c.automation_id == automation_id,
                    deployment_versions.c.content_hash == digest,
                )
            )
            new_version = version is None
            if version is None:
                version = await _add_version(connection, automation, digest, current, now)
            if current is None:
                await connection.execute(
                    insert(deployments).values(
                        automation_id=automation_id,
                        entity_id=entity_id,
                        version=version,
                        status="deployed",
                        suggestion_id=suggestion_id,
                        deployed_at=now,
                        updated_at=now,
                    )
                )
                row = await _existing_row(connection, automation_id)
                return Recorded(deployment_dict(row), changed=True)
            return await _repoint(
                connection,
                current,
                version,
                entity_id,
                now,
                new_version=new_version,
                suggestion_id=suggestion_id,
            )

    async def record_rollback(self, automation_id: str, version: int, entity_id: str) -> Recorded:
        """Point a deployment back at an existing version that Home Assistant holds again."""
        async with self._engine.begin() as connection:
            current = await _existing_row(connection, automation_id)
            return await _repoint(connection, current, version, entity_id, time.time())

    async def set_status(
        self, automation_id: str, status: Status, entity_id: str | None = None
    ) -> Deployment:
        """Set a deployment's status (and entity id, when known); return the deployment."""
        values: dict[str, Any] = {"status": status, "updated_at": time.time()}
        if entity_id:
            values["entity_id"] = entity_id
        async with self._engine.begin() as connection:
            await connection.execute(
                update(deployments)
                .where(deployments.c.automation_id == automation_id)
                .values(**values)
            )
            row = await _existing_row(connection, automation_id)
        return deployment_dict(row)


async def _repoint(
    connection: AsyncConnection,
    current: Row[Any],
    version: int,
    entity_id: str,
    now: float,
    *,
    new_version: bool = False,
    suggestion_id: str | None = None,
) -> Recorded:
    """Point an existing deployment at a version Home Assistant now holds; say if it changed."""
    # Deployed again after a delete, it runs again; a disabled one stays off.
    status = "deployed" if current.status == "removed" else current.status
    changed = new_version or version != current.version or status != current.status
    await connection.execute(
        update(deployments)
        .where(deployments.c.automation_id == current.automation_id)
        .values(
            entity_id=entity_id,
            version=version,
            status=status,
            suggestion_id=suggestion_id or current.suggestion_id,
            deployed_at=now if changed else current.deployed_at,
            updated_at=now,
        )
    )
    return Recorded(
        deployment_dict(await _existing_row(connection, current.automation_id)), changed
    )


async def _row(connection: AsyncConnection, automation_id: str) -> Row[Any] | None:
    query = select(deployments).where(deployments.c.automation_id == automation_id)
    return (await connection.execute(query)).first()


async def _existing_row(connection: AsyncConnection, automation_id: str) -> Row[Any]:
    row = await _row(connection, automation_id)
    if row is None:
        raise NotFoundError(f"No deployed automation {automation_id!r}")
    return row


async def _add_version(
    connection: AsyncConnection,
    automation: Mapping[str, Any],
    digest: str,
    current: Row[Any] | None,
    now: float,
) -> int:
    """Insert the next version, its diff taken against the one Home Assistant held before."""
    automation_id = str(automation["id"])
    latest = await connection.scalar(
        select(func.max(deployment_versions.c.version)).where(
            deployment_versions.c.automation_id == automation_id
        )
    )
    version = (latest or 0) + 1
    previous = None
    if current is not None:
        config = await connection.scalar(
            select(deployment_versions.c.automation).where(
                deployment_versions.c.automation_id == automation_id,
                deployment_versions.c.version == current.version,
            )
        )
        previous = (current.version, config) if config is not None else None
    await connection.execute(
        insert(deployment_versions).values(
            automation_id=automation_id,
            version=version,
            automation=dict(automation),
            content_hash=digest,
            diff=version_diff(previous, automation, version),
            created_at=now,
        )
    )
    return version
