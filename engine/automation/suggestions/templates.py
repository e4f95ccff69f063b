"""Device-aware pieces of a suggested automation: what starts it and what it does."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from engine.home.catalog import Entity

# Cover feature bit that says the cover takes a position (CoverEntityFeature.SET_POSITION).
_COVER_SET_POSITION: Final = 4
# Light colour modes that take a brightness (all but on/off).
_DIMMABLE: Final = frozenset({"brightness", "color_temp", "hs", "xy", "rgb", "rgbw", "rgbww"})


@dataclass(frozen=True, slots=True)
class Step:
    """What a suggestion does: Home Assistant actions and how a sentence says them."""

    actions: list[dict[str, Any]]
    phrase: str


def _call(action: str, entity_id: str, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    call: dict[str, Any] = {"action": action, "target": {"entity_id": entity_id}}
    if data:
        call["data"] = dict(data)
    return call


def _light_level(hour: int | None) -> tuple[int, int] | None:
    """Return (brightness %, colour temperature K) for an hour: bright by day, warm at night."""
    if hour is None:
        return None
    if 6 <= hour < 20:
        return 100, 4000
    if 20 <= hour < 23:
        return 60, 2700
    return 30, 2200


def _light(entity: Entity, state: str, name: str, hour: int | None) -> Step | None:
    if state == "off":
        return Step([_call("light.turn_off", entity.entity_id)], f"turn off {name}")
    if state != "on":
        return None
    attributes = entity.attributes or {}
    modes = set(attributes.get("supported_color_modes") or ())
    level = _light_level(hour)
    data: dict[str, Any] = {}
    # The light's own brightness when Home Assistant reported one, else one for the hour.
    if modes & _DIMMABLE:
        brightness = attributes.get("brightness")
        if isinstance(brightness, int | float) and brightness > 0:
            data["brightness_pct"] = max(1, round(brightness / 255 * 100))
        elif level is not None:
            data["brightness_pct"] = level[0]
    if "color_temp" in modes:
        kelvin = attributes.get("color_temp_kelvin")
        if isinstance(kelvin, int | float) and kelvin > 0:
            data["color_temp_kelvin"] = int(kelvin)
        elif level is not None:
            data["color_temp_kelvin"] = level[1]
    details = " and ".join(
        text
        for text in (
            f"{data['brightness_pct']}% brightness" if "brightness_pct" in data else "",
            f"{data['color_temp_kelvin']} K" if "color_temp_kelvin" in data else "",
        )
        if text
    )
    return Step(
        [_call("light.turn_on", entity.entity_id, data)],
        f"turn on {name}" + (f" at {details}" if details else ""),
    )


def _on_off(domain: str) -> Callable[[Entity, str, str, int | None], Step | None]:
    def step(entity: Entity, state: str, name: str, _hour: int | None) -> Step | None:
        if state not in ("on", "off"):
            return None
        data: dict[str, Any] = {}
        percentage = (entity.attributes or {}).get("percentage")
        if domain == "fan" and state == "on" and isinstance(percentage, int) and percentage > 0:
            data["percentage"] = percentage
        return Step(
            [_call(f"{domain}.turn_{state}", entity.entity_id, data)], f"turn {state} {name}"
        )

    return step


def _cover(entity: Entity, state: str, name: str, _hour: int | None) -> Step | None:
    attributes = entity.attributes or {}
    position = attributes.get("current_position")
    takes_position = int(attributes.get("supported_features") or 0) & _COVER_SET_POSITION
    if state == "open" and takes_position and isinstance(position, int) and 0 < position < 100:
        return Step(
            [_call("cover.set_cover_position", entity.entity_id, {"position": position})],
            f"open {name} to {position}%",
        )
    if state in ("open", "closed"):
        verb = "open" if state == "open" else "close"
        return Step([_call(f"cover.{verb}_cover", entity.entity_id)], f"{verb} {name}")
    return None


_HVAC_MODES: Final = frozenset({"off", "heat", "cool", "heat_cool", "auto", "dry", "fan_only"})


def _climate(entity: Entity, state: str, name: str, _hour: int | None) -> Step | None:
    if state not in _HVAC_MODES:
        return None
    if state == "off":
        return Step([_call("climate.turn_off", entity.entity_id)], f"turn off {name}")
    setpoint = (entity.attributes or {}).get("temperature")
    if isinstance(setpoint, int | float):
        return Step(
            [
                _call(
                    "climate.set_temperature",
                    entity.entity_id,
                    {"hvac_mode": state, "temperature": setpoint},
                )
            ],
            f"set {name} to {state.replace('_', '/')} at {setpoint:g}°",
        )
    return Step(
        [_call("climate.set_hvac_mode", entity.entity_id, {"hvac_mode": state})],
        f"set {name} to {state.replace('_', '/')}",
    )


def _media_player(entity: Entity, state: str, name: str, _hour: int | None) -> Step | None:
    if state == "playing":
        actions = [_call("media_player.media_play", entity.entity_id)]
        volume = (entity.attributes or {}).get("volume_level")
        if isinstance(volume, int | float) and 0 < volume <= 1:
            actions.insert(
                0,
                _call("media_player.volume_set", entity.entity_id, {"volume_level": volume}),
            )
            return Step(actions, f"play {name} at {round(volume * 100)}% volume")
        return Step(actions, f"play {name}")
    services = {"paused": ("media_pause", "pause"), "off": ("turn_off", "turn off")}
    if state in services:
        service, verb = services[state]
        return Step([_call(f"media_player.{service}", entity.entity_id)], f"{verb} {name}")
    return None


def _lock(entity: Entity, state: str, name: str, _hour: int | None) -> Step | None:
    services = {"locked": "lock", "unlocked": "unlock"}
    if state not in services:
        return None
    return Step([_call(f"lock.{services[state]}", entity.entity_id)], f"{services[state]} {name}")


_ALARM_SERVICES: Final = {
    "armed_away": ("alarm_arm_away", "arm {} (away)"),
    "armed_home": ("alarm_arm_home", "arm {} (home)"),
    "armed_night": ("alarm_arm_night", "arm {} (night)"),
    "disarmed": ("alarm_disarm", "disarm {}"),
}


def _alarm(entity: Entity, state: str, name: str, _hour: int | None) -> Step | None:
    if state not in _ALARM_SERVICES:
        return None
    service, words = _ALARM_SERVICES[state]
    return Step([_call(f"alarm_control_panel.{service}", entity.entity_id)], words.format(name))


def _vacuum(entity: Entity, state: str, name: str, _hour: int | None) -> Step | None:
    if state == "cleaning":
        return Step([_call("vacuum.start", entity.entity_id)], f"start {name}")
    if state in ("docked", "returning"):
        return Step([_call("vacuum.return_to_base", entity.entity_id)], f"send {name} to its dock")
    return None


def _valve(entity: Entity, state: str, name: str, _hour: int | None) -> Step | None:
    if state not in ("open", "closed"):
        return None
    verb = "open" if state == "open" else "close"
    return Step([_call(f"valve.{verb}_valve", entity.entity_id)], f"{verb} {name}")


def _select(domain: str) -> Callable[[Entity, str, str, int | None], Step | None]:
    def step(entity: Entity, state: str, name: str, _hour: int | None) -> Step | None:
        options = (entity.attributes or {}).get("options") or ()
        if state not in options:
            return None
        return Step(
            [_call(f"{domain}.select_option", entity.entity_id, {"option": state})],
            f"set {name} to {state}",
        )

    return step


# The domains a suggestion may act on; sensors, people and the like only start automations.
_ACTIONS: Final[Mapping[str, Callable[[Entity, str, str, int | None], Step | None]]] = {
    "light": _light,
    "switch": _on_off("switch"),
    "input_boolean": _on_off("input_boolean"),
    "fan": _on_off("fan"),
    "humidifier": _on_off("humidifier"),
    "cover": _cover,
    "climate": _climate,
    "media_player": _media_player,
    "lock": _lock,
    "alarm_control_panel": _alarm,
    "vacuum": _vacuum,
    "valve": _valve,
    "input_select": _select("input_select"),
    "select": _select("select"),
}


def action_step(entity: Entity, state: str, hour: int | None = None) -> Step | None:
    """Return the actions that bring an entity to a state, or None when none do.

    `hour` (local, 0-23) is when a time-of-day habit happens: a light is dimmer and warmer at
    night when the light itself reported no brightness to copy.
    """
    make = _ACTIONS.get(entity.domain)
    return make(entity, state, entity.name or entity.entity_id, hour) if make else None


def period(seconds: int) -> dict[str, int]:
    """Return a duration as Home Assistant's editor writes it."""
    hours, rest = divmod(seconds, 3600)
    return {"hours": hours, "minutes": rest // 60, "seconds": rest % 60}


def state_trigger(entity_id: str, state: str, for_s: int | None = None) -> dict[str, Any]:
    """Return a state trigger on an entity reaching a state (held for `for_s` seconds)."""
    trigger: dict[str, Any] = {"trigger": "state", "entity_id": entity_id, "to": state}
    if for_s:
        trigger["for"] = period(for_s)
    return trigger


def wait_text(seconds: int) -> str:
    """Return a wait in words: "2 min", "45 s", "1 h 30 min"."""
    if seconds < 60:
        return f"{seconds} s"
    hours, minutes = divmod(round(seconds / 60), 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{minutes} min"


def notification(title: str, message: str) -> dict[str, Any]:
    """Return an action that shows a notification in Home Assistant."""
    # persistent_notification always exists; notify.* depends on what the home set up.
    return {
        "action": "persistent_notification.create",
        "data": {"title": title, "message": message},
    }
