"""Run Home Assistant with a synthetic home, the engine with its history, and HomeIQ set up.

`./scripts/develop` runs this. Everything lives under ./data/develop and is kept between
runs (delete that folder to start over); Ctrl-C stops both processes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from develop.home import DevEntity, dev_entities, homeassistant_config
from develop.homeassistant import HomeAssistant, HomeAssistantError, WebSocket
from engine.home.event_input import utc_now
from engine.training.lifecycle import DEMO_DAYS, DEMO_HOME_TYPE, DEMO_SEED
from engine.training.synthetic import SyntheticHome, generate_home
from tests.environments import engine_python, hass_command, homeassistant_python

REPO = Path(__file__).resolve().parents[1]
INTEGRATION = REPO / "custom_components" / "homeiq"
USERNAME = "dev"
START_DEADLINE_S = 120.0
STOP_DEADLINE_S = 30.0
POLL_S = 0.25
IMPORT_BATCH = 20_000
SUGGESTIONS_TODO = "todo.homeiq_engine_suggestions"
PENDING_SENSOR = "sensor.homeiq_engine_pending_suggestions"
RUN_ANALYSIS_BUTTON = "button.homeiq_engine_run_analysis"

CONFIGURATION = """\
# Written by scripts/develop on every start: edit develop/__main__.py instead.
homeassistant:
  name: HomeIQ Develop
  time_zone: {time_zone}
  latitude: {latitude}
  longitude: {longitude}
  elevation: 0
  unit_system: metric
  country: DE
  currency: EUR
  language: en
http:
  server_host: 127.0.0.1
  server_port: {port}
logger:
  default: info
  logs:
    custom_components.homeiq: debug
    homeassistant.components.camera.img_util: critical
frontend:
  development_repo: {frontend}
api:
websocket_api:
auth:
onboarding:
config:
recorder:
  commit_interval: 1
history:
logbook:
automation: !include automations.yaml
script: !include scripts.yaml
"""
# Onboarding's core_config step would start config flows whose requirements are not
# installed (Home Assistant runs with --skip-pip); the location comes from the YAML above.
ONBOARDING_STORE = {
    "version": 4,
    "minor_version": 1,
    "key": "onboarding",
    "data": {"done": ["core_config"]},
}


@dataclass(frozen=True, slots=True)
class Paths:
    """Where the development setup keeps its files."""

    root: Path

    @property
    def config(self) -> Path:
        """Home Assistant's config directory."""
        return self.root / "homeassistant"

    @property
    def frontend(self) -> Path:
        """Home Assistant's frontend, installed here once (not into .venv)."""
        return self.root / "frontend"

    @property
    def engine_data(self) -> Path:
        """The engine's data directory."""
        return self.root / "engine"

    @property
    def state(self) -> Path:
        """Credentials and what was set up already (mode 0600)."""
        return self.root / "state.json"


class Child:
    """A child process in its own session, so Ctrl-C reaches only this script."""

    def __init__(self, name: str, process: asyncio.subprocess.Process, log: Path) -> None:
        self.name = name
        self.process = process
        self.log = log

    @classmethod
    async def start(
        cls, name: str, command: list[str], log: Path, env: Mapping[str, str] | None = None
    ) -> Child:
        """Start `command` with its output appended to `log`."""
        with log.open("ab") as output:
            process = await asyncio.create_subprocess_exec(
                *command,
                cwd=REPO,
                env=dict(env) if env is not None else None,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        return cls(name, process, log)

    def check(self) -> None:
        """Raise if the process has ended."""
        if self.process.returncode is not None:
            raise RuntimeError(
                f"{self.name} exited with code {self.process.returncode}; see {self.log}"
            )

    async def stop(self) -> None:
        """SIGTERM, wait, then SIGKILL."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), STOP_DEADLINE_S)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        say(f"{self.name} stopped (exit code {self.process.returncode})")


def say(message: str) -> None:
    """Print one progress line at once."""
    sys.stdout.write(f"develop: {message}\n")
    sys.stdout.flush()


def load_state(paths: Paths) -> dict[str, Any]:
    """Return the saved credentials and progress, creating new credentials on the first run."""
    if paths.state.exists():
        state: dict[str, Any] = json.loads(paths.state.read_text())
        return state
    return {
        "username": USERNAME,
        "password": secrets.token_urlsafe(9),
        "engine_token": secrets.token_urlsafe(32),
    }


def save_state(paths: Paths, state: Mapping[str, Any]) -> None:
    """Write the state file readable by the owner only."""
    paths.state.touch(mode=0o600)
    paths.state.write_text(json.dumps(state, indent=2) + "\n")


def ensure_port_free(port: int, what: str) -> None:
    """Fail early and clearly when something already listens on the port."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise SystemExit(
                f"develop: port {port} for {what} is in use; stop what listens there or pick "
                "another port (see --help)"
            ) from None


async def ensure_frontend(paths: Paths) -> None:
    """Install the frontend Home Assistant pins into data/develop/frontend, once."""
    if (paths.frontend / "hass_frontend" / "index.html").exists():
        return
    # Home Assistant lives in its own environment (.venv-ha): ask its interpreter where.
    where = await asyncio.create_subprocess_exec(
        str(homeassistant_python()),
        "-c",
        "import homeassistant; print(homeassistant.__file__)",
        stdout=asyncio.subprocess.PIPE,
    )
    location, _ = await where.communicate()
    if where.returncode != 0:
        raise SystemExit("develop: Home Assistant is not installed; run ./scripts/setup")
    pins = Path(location.decode().strip()).with_name("package_constraints.txt").read_text()
    pin = next(line for line in pins.splitlines() if line.startswith("home-assistant-frontend=="))
    say(f"installing Home Assistant's frontend ({pin}) into {paths.frontend}, once")
    staging = paths.root / "frontend.partial"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--target",
        str(staging),
        pin,
    )
    if await process.wait() != 0 or not (staging / "hass_frontend" / "index.html").exists():
        raise SystemExit(f"develop: could not install {pin}; is the package index reachable?")
    staging.rename(paths.frontend)


def write_homeassistant_config(
    paths: Paths, home: SyntheticHome, entities: list[DevEntity], port: int
) -> None:
    """Write configuration.yaml (every start) and the files Home Assistant keeps (once)."""
    config = paths.config
    (config / "custom_components").mkdir(parents=True, exist_ok=True)
    link = config / "custom_components" / "homeiq"
    if not link.is_symlink():
        link.symlink_to(INTEGRATION, target_is_directory=True)
    storage = config / ".storage"
    if not storage.exists():
        storage.mkdir()
        (storage / "onboarding").write_text(json.dumps(ONBOARDING_STORE))
    for name, empty in (("automations.yaml", "[]\n"), ("scripts.yaml", "{}\n")):
        if not (config / name).exists():
            (config / name).write_text(empty)
    location = home.catalog["location"]
    text = CONFIGURATION.format(
        time_zone=home.catalog["time_zone"],
        latitude=location["latitude"],
        longitude=location["longitude"],
        port=port,
        # A JSON string is a valid, safely quoted YAML scalar.
        frontend=json.dumps(str(paths.frontend.resolve())),
    )
    text += yaml.safe_dump(homeassistant_config(entities), sort_keys=False)
    (config / "configuration.yaml").write_text(text)


async def wait_until(
    what: str, check: Callable[[], Awaitable[bool]], children: list[Child]
) -> None:
    """Poll `check` until it answers True; fail when a child exits or time runs out."""
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        for child in children:
            child.check()
        with contextlib.suppress(aiohttp.ClientError, HomeAssistantError):
            if await check():
                return
        await asyncio.sleep(POLL_S)
    raise TimeoutError(f"develop: {what} did not happen within {START_DEADLINE_S:.0f} s")


async def start_homeassistant(
    ha: HomeAssistant, paths: Paths, state: dict[str, Any], stack: contextlib.AsyncExitStack
) -> Child:
    """Start Home Assistant, onboard it on the first run, wait until it is RUNNING."""
    command = [*hass_command(), "-c", str(paths.config), "--skip-pip", "--log-no-color"]
    say("starting Home Assistant (log: data/develop/homeassistant.log)")
    child = await Child.start("Home Assistant", command, paths.root / "homeassistant.log")
    stack.push_async_callback(child.stop)

    async def http_up() -> bool:
        async with ha.session.get(f"{ha.base_url}/auth/providers") as reply:
            return reply.status < 500

    await wait_until("Home Assistant's HTTP server", http_up, [child])
    if "ha_token" not in state:
        say("onboarding Home Assistant (first run)")
        state["ha_token"] = await ha.onboard("Developer", state["username"], state["password"])
        save_state(paths, state)
    ha.token = state["ha_token"]

    async def running() -> bool:
        config: dict[str, Any] = await ha.request("GET", "/api/config")
        return bool(config["state"] == "RUNNING")

    async with ha.session.get(
        f"{ha.base_url}/api/config", headers={"Authorization": f"Bearer {ha.token}"}
    ) as reply:
        if reply.status == 401:
            raise SystemExit(
                "develop: Home Assistant refused the saved token; delete data/develop to start over"
            )
    await wait_until("Home Assistant reaching RUNNING", running, [child])
    return child


def _area_key(name: str) -> str:
    """Return an area name the way Home Assistant compares them."""
    return "".join(name.casefold().split())


async def _set_up_areas(ws: WebSocket, catalog: Mapping[str, Any]) -> dict[str, str]:
    """Create the home's floors and areas; return Home Assistant's id of each area id."""
    floors = {f["name"]: f["floor_id"] for f in await ws.command("config/floor_registry/list")}
    for floor in catalog["floors"]:
        if floor["name"] not in floors:
            level = {"level": floor["level"]} if floor.get("level") is not None else {}
            created = await ws.command("config/floor_registry/create", name=floor["name"], **level)
            floors[floor["name"]] = created["floor_id"]
    floor_ids = {f["floor_id"]: floors[f["name"]] for f in catalog["floors"]}
    # Onboarding made a few areas already (Living Room, ...); HA compares names like this.
    areas = {
        _area_key(a["name"]): a["area_id"] for a in await ws.command("config/area_registry/list")
    }
    for area in catalog["areas"]:
        details: dict[str, Any] = {"aliases": area.get("aliases") or []}
        if (floor_id := floor_ids.get(area.get("floor_id") or "")) is not None:
            details["floor_id"] = floor_id
        if (area_id := areas.get(_area_key(area["name"]))) is not None:
            await ws.command("config/area_registry/update", area_id=area_id, **details)
        else:
            created = await ws.command("config/area_registry/create", name=area["name"], **details)
            areas[_area_key(area["name"])] = created["area_id"]
    return {a["area_id"]: areas[_area_key(a["name"])] for a in catalog["areas"]}


async def set_up_home(
    ha: HomeAssistant, home: SyntheticHome, entities: list[DevEntity], state: dict[str, Any]
) -> None:
    """Give the entities their ids, areas and floors; hide the backing helpers."""
    catalog = home.catalog

    async def all_there() -> bool:
        states = await ha.request("GET", "/api/states")
        known = {s["entity_id"] for s in states}
        return all(e.switch_entity_id in known for e in entities)

    await wait_until("the synthetic home's helpers", all_there, [])
    async with ha.websocket() as ws:
        registry = await ws.command("config/entity_registry/list")
        by_unique_id = {(e["platform"], e["unique_id"]): e for e in registry}
        area_ids = await _set_up_areas(ws, catalog)
        for entity in entities:
            entry = by_unique_id.get(("template", entity.unique_id))
            if entry is None:
                raise RuntimeError(f"develop: Home Assistant did not create {entity.entity_id}")
            changes: dict[str, Any] = {"area_id": area_ids.get(entity.area_id or "")}
            if entry["entity_id"] != entity.entity_id:
                changes["new_entity_id"] = entity.entity_id
            await ws.command(
                "config/entity_registry/update", entity_id=entry["entity_id"], **changes
            )
            if entity.domain != "binary_sensor":
                await ws.command(
                    "config/entity_registry/update",
                    entity_id=entity.switch_entity_id,
                    hidden_by="user",
                )
    if not state.get("states_set"):
        # Start where the history ends: e.g. the front door locked, that one switch on.
        for entity in entities:
            if entity.is_on:
                await ha.request(
                    "POST",
                    "/api/services/input_boolean/turn_on",
                    {"entity_id": entity.switch_entity_id},
                )
        state["states_set"] = True


async def start_engine(
    session: aiohttp.ClientSession,
    paths: Paths,
    *,
    state: dict[str, Any],
    ha_url: str,
    port: int,
    stack: contextlib.AsyncExitStack,
    ha_child: Child,
) -> Child:
    """Start the engine mirroring Home Assistant; wait until it has the catalog."""
    paths.engine_data.mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("HOMEIQ_", "HA_"))},
        "HOMEIQ_HOST": "127.0.0.1",
        "HOMEIQ_PORT": str(port),
        "HOMEIQ_DATA_DIR": str(paths.engine_data),
        "HOMEIQ_API_TOKEN": state["engine_token"],
        "HA_URL": ha_url,
        "HA_TOKEN": state["ha_token"],
    }
    say("starting the engine (log: data/develop/engine.log)")
    child = await Child.start(
        "engine", [str(engine_python()), "-m", "engine"], paths.root / "engine.log", env
    )
    stack.push_async_callback(child.stop)
    url = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {state['engine_token']}"}

    async def mirrored() -> bool:
        async with session.get(f"{url}/api/v1/entities?domain=light&limit=1", headers=auth) as r:
            return r.status == 200 and (await r.json())["total"] > 0

    await wait_until("the engine mirroring Home Assistant", mirrored, [child, ha_child])
    return child


async def import_history(
    session: aiohttp.ClientSession,
    engine_url: str,
    token: str,
    home: SyntheticHome,
    entities: list[DevEntity],
) -> int:
    """Give the engine the synthetic history of the entities Home Assistant has."""
    wanted = {entity.entity_id for entity in entities}
    events = [event for event in home.events if event["entity_id"] in wanted]
    auth = {"Authorization": f"Bearer {token}"}
    for start in range(0, len(events), IMPORT_BATCH):
        batch = {"events": events[start : start + IMPORT_BATCH]}
        async with session.post(
            f"{engine_url}/api/v1/events/import", json=batch, headers=auth
        ) as reply:
            if reply.status != 200:
                raise RuntimeError(f"develop: importing history failed: {await reply.text()}")
    return len(events)


async def set_up_integration(
    ha: HomeAssistant, engine_url: str, token: str, children: list[Child]
) -> str:
    """Add (or revive) the HomeIQ config entry through the config-flow REST API."""
    entries = await ha.request("GET", "/api/config/config_entries/entry?domain=homeiq")
    for entry in entries:
        if entry["state"] != "loaded":
            # Set up before the engine listened: retry now rather than after the backoff.
            await ha.request("POST", f"/api/config/config_entries/entry/{entry['entry_id']}/reload")
    entries = await ha.request("GET", "/api/config/config_entries/entry?domain=homeiq")
    for entry in entries:
        if entry["state"] == "loaded":
            entry_id: str = entry["entry_id"]
            return entry_id
        # A stale entry (e.g. the engine moved to another port): replace it.
        await ha.request("DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}")
    say("adding the HomeIQ integration through its config flow")
    flow = await ha.request(
        "POST",
        "/api/config/config_entries/flow",
        {"handler": "homeiq", "show_advanced_options": False},
    )
    result = await ha.request(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {"url": engine_url, "api_token": token},
    )
    if result.get("type") != "create_entry":
        raise RuntimeError(f"develop: the HomeIQ config flow did not finish: {result}")
    created: str = result["result"]["entry_id"]

    async def entities_there() -> bool:
        return await ha.state(SUGGESTIONS_TODO) is not None

    await wait_until("the HomeIQ entities", entities_there, children)
    return created


def banner(
    state: Mapping[str, Any], ha_url: str, engine_url: str, entities: int, entry_id: str
) -> str:
    """Return what to open and click."""
    return f"""
================================================================================
 HomeIQ development setup is running. Ctrl-C stops Home Assistant and the engine.

 Home Assistant   {ha_url}
   login          {state["username"]} / {state["password"]}
 Engine           {engine_url}   (try {engine_url}/health)
   API token      {state["engine_token"]}
                  (Authorization: Bearer ...; the API is at /api/v1/openapi.json)
 Synthetic home   a {DEMO_HOME_TYPE.replace("_", " ")}: {entities} lights, switches, covers,
                  locks and door/motion sensors, {DEMO_DAYS} days of history in the engine
 Logs             data/develop/homeassistant.log, data/develop/engine.log

 Try it:
 1. Overview: the "HomeIQ Engine" card, or Settings -> Devices & services -> HomeIQ.
 2. Press the button "Run analysis"; when it finishes, the integration asks for its
    suggestions and "Pending suggestions" goes up.
 3. To-do lists -> "Suggestions": check an item to approve and deploy it as an
    automation, delete it to reject it.
 4. Developer tools -> Actions -> "HomeIQ: Ask" (homeiq.ask), e.g.
      config_entry_id: {entry_id}
      text: every weekday at 7 turn on the kitchen ceiling
 5. Flip a "(simulate)" helper (front door, motion) and watch the lights follow once
    you have approved a suggestion.
 Integration code: custom_components/homeiq (restart this script to reload it).
================================================================================
""".rstrip()


async def run(args: argparse.Namespace) -> int:
    """Set everything up, then keep running until Ctrl-C or a child's exit."""
    paths = Paths(args.data_dir.resolve())
    paths.root.mkdir(parents=True, exist_ok=True)
    ensure_port_free(args.ha_port, "Home Assistant")
    ensure_port_free(args.engine_port, "the engine")
    ha_url = f"http://127.0.0.1:{args.ha_port}"
    engine_url = f"http://127.0.0.1:{args.engine_port}"
    state = load_state(paths)
    save_state(paths, state)
    home = await asyncio.to_thread(
        generate_home, DEMO_HOME_TYPE, days=DEMO_DAYS, seed=DEMO_SEED, end=utc_now()
    )
    entities = dev_entities(home.catalog)
    await ensure_frontend(paths)
    write_homeassistant_config(paths, home, entities, args.ha_port)
    async with contextlib.AsyncExitStack() as stack:
        session = await stack.enter_async_context(aiohttp.ClientSession())
        ha = HomeAssistant(session, ha_url)
        ha_child = await start_homeassistant(ha, paths, state, stack)
        await set_up_home(ha, home, entities, state)
        save_state(paths, state)
        engine_child = await start_engine(
            session,
            paths,
            state=state,
            ha_url=ha_url,
            port=args.engine_port,
            stack=stack,
            ha_child=ha_child,
        )
        if not state.get("history_imported"):
            count = await import_history(session, engine_url, state["engine_token"], home, entities)
            say(f"imported {count} events of {DEMO_DAYS} days of synthetic history")
            state["history_imported"] = True
            save_state(paths, state)
        children = [ha_child, engine_child]
        entry_id = await set_up_integration(ha, engine_url, state["engine_token"], children)
        sys.stdout.write(banner(state, ha_url, engine_url, len(entities), entry_id) + "\n")
        sys.stdout.flush()
        await asyncio.wait(
            [asyncio.create_task(child.process.wait()) for child in children],
            return_when=asyncio.FIRST_COMPLETED,
        )
        for child in children:
            if child.process.returncode is not None:
                say(f"{child.name} exited with code {child.process.returncode}; see {child.log}")
        return 1


@contextlib.asynccontextmanager
async def stop_on_signals() -> AsyncIterator[None]:
    """Turn the first SIGINT/SIGTERM into a cancellation of the running task."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    if task is None:
        raise RuntimeError("stop_on_signals needs a running task")
    stopping = False

    def stop() -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            say("stopping (the engine, then Home Assistant) ...")
            task.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def main_async(args: argparse.Namespace) -> int:
    """Run until stopped; a stop by signal is a clean exit."""
    async with stop_on_signals():
        try:
            return await run(args)
        except asyncio.CancelledError:
            return 0
        except (HomeAssistantError, RuntimeError, TimeoutError, aiohttp.ClientError) as err:
            say(f"failed: {err}")
            return 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="scripts/develop", description=__doc__)
    parser.add_argument(
        "--ha-port",
        type=int,
        default=int(os.environ.get("DEVELOP_HA_PORT", "8123")),
        help="Home Assistant's port (default 8123, or DEVELOP_HA_PORT)",
    )
    parser.add_argument(
        "--engine-port",
        type=int,
        default=int(os.environ.get("DEVELOP_ENGINE_PORT", "8025")),
        help="the engine's port (default 8025, or DEVELOP_ENGINE_PORT)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=REPO / "data" / "develop",
        help="where everything is kept (default ./data/develop)",
    )
    return parser.parse_args(argv)


def main() -> None:
    """Entry point of `python -m develop`."""
    sys.exit(asyncio.run(main_async(parse_args())))


if __name__ == "__main__":
    main()
