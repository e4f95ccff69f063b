"""Announcing the engine to Home Assistant through the Supervisor's discovery API."""

from __future__ import annotations

import socket
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp
import orjson

DISCOVERY_SERVICE = "homeiq"
# Addresses that mean "every interface": peers reach the app by its host name instead.
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - compared, not bound
TIMEOUT_S = 10.0


class SupervisorError(Exception):
    """The Supervisor could not be reached or refused a request; never carries a token."""


@dataclass(frozen=True, slots=True)
class DiscoveryConfig:
    """What Home Assistant's hassio flow needs to set the integration up."""

    host: str
    port: int
    api_token: str = field(repr=False)
    instance_id: str


def advertised_host(bind_host: str) -> str:
    """Return the host peers reach the engine at: the bound address, else the host name.

    The Supervisor names an app's container after it, so its host name is its address on
    the hassio network (what the Matter Server and Music Assistant apps announce too).
    """
    return socket.gethostname() if bind_host in WILDCARD_HOSTS else bind_host


async def announce(
    session: aiohttp.ClientSession, supervisor_url: str, token: str, config: DiscoveryConfig
) -> str:
    """Post one discovery message; return the uuid the Supervisor gave it."""
    try:
        async with session.post(
            f"{supervisor_url}/discovery",
            json={"service": DISCOVERY_SERVICE, "config": asdict(config)},
            headers={"Authorization": f"Bearer {token}"},
            timeout=aiohttp.ClientTimeout(total=TIMEOUT_S),
        ) as response:
            body = await response.read()
            status = response.status
    except (aiohttp.ClientError, OSError, TimeoutError) as err:
        raise SupervisorError(
            f"Cannot reach the Supervisor at {supervisor_url}: {type(err).__name__}"
        ) from None
    answer = _json(body)
    if status >= 400 or answer.get("result") != "ok":
        # The Supervisor's envelope: {"result": "error", "message": ...}.
        message = answer.get("message") or body[:200].decode(errors="replace")
        raise SupervisorError(f"The Supervisor answered {status} to the discovery: {message}")
    data = answer.get("data")
    uuid = data.get("uuid") if isinstance(data, dict) else None
    if not isinstance(uuid, str):
        raise SupervisorError("The Supervisor's discovery answer has no uuid")
    return uuid


def _json(body: bytes) -> dict[str, Any]:
    """Return a JSON object body, or an empty one."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
