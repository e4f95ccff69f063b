"""Notifications asked for in words: who gets them, through which service, saying what."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from engine.home.catalog import Catalog, Entity
from engine.query.messages import Messages, messages
from engine.query.resolve import Ask, Refuse

# "Send me a notification", "notify Alex", "tell my phone", "let us know that ...".
_NOTIFY: Final = re.compile(
    r"^(?:(?:send|give|push) (?P<to>[a-z]+(?: phone)?)(?: a| an)? (?:push )?"
    r"(?:notification|message|alert|notice|text)s?"
    r"|(?:notify|alert|warn|ping|message|text|tell|inform) (?P<to2>[a-z]+(?: phones?)?)"
    r"|let (?P<to3>[a-z]+) know)"
    r"(?: (?:on|to) (?:my|our|his|her|their|the) phones?)?"
    r"(?:,? (?:that|saying|with|about|:) (?P<message>.+))?$"
)
_ME: Final = frozenset({"me", "my", "us", "our", "my phone", "our phones", "me phone"})
_EVERYONE: Final = frozenset({"everyone", "everybody", "all", "everyones phones"})
# Home Assistant's mobile app names each phone's notify service after its device.
_MOBILE_APP: Final = "notify.mobile_app_"
# Always there: a notification in Home Assistant's own sidebar.
PERSISTENT: Final = "persistent_notification.create"
_SLUG: Final = re.compile(r"[^a-z0-9]+")


# "Play an alert on the kitchen speaker", "announce on the speakers that ...".
_ANNOUNCE: Final = re.compile(
    r"^(?:play (?:a |an )?(?:alert|warning|chime|sound|announcement|message)"
    r"|make an announcement|announce(?: it)?|say(?: it)?|speak)"
    r"(?: (?:that|saying) (?P<before>.+?))?"
    r" (?:on|through|over|via|in|from) (?P<where>.+?)"
    r"(?:,? (?:that|saying) (?P<message>.+))?$"
)
# Home Assistant's text-to-speech action: speaks a message on media players.
SPEAK: Final = "tts.speak"


@dataclass(frozen=True, slots=True)
class Announce:
    """A spoken alert asked for: on which players (as said) and its words, if said."""

    where: str
    message: str | None


def announcement(text: str) -> Announce | None:
    """Return the spoken alert a "what to do" asks for, if it asks for one."""
    said = _ANNOUNCE.match(text)
    if said is None:
        return None
    return Announce(said["where"], said["message"] or said["before"])


def speak(engines: list[str], players: tuple[str, ...], message: str) -> dict[str, Any] | Refuse:
    """Return the call that speaks a message on players, with the home's first TTS engine."""
    if not engines:
        return Refuse("Speaking an alert needs a text-to-speech service; this home has none.")
    return {
        "action": SPEAK,
        "target": {"entity_id": [engines[0]]},
        "data": {"media_player_entity_id": list(players), "message": message},
    }


@dataclass(frozen=True, slots=True)
class Notify:
    """A notification asked for: to whom (as said) and its words, if said."""

    to: str
    message: str | None


def notification(text: str) -> Notify | None:
    """Return the notification a "what to do" asks for, if it asks for one."""
    said = _NOTIFY.match(text)
    if said is None:
        return None
    to = said["to"] or said["to2"] or said["to3"] or ""
    return Notify(to, said["message"])


def slug(name: str) -> str:
    """Return a name as Home Assistant slugifies it ("Alex's Pixel" -> "alexs_pixel")."""
    return _SLUG.sub("_", name.casefold().replace("'", "")).strip("_")


class Recipients:
    """The home's people and the phones their notifications go to."""

    def __init__(self, catalog: Catalog, said: Messages | None = None) -> None:
        self._say = said or messages("en")
        entities = {entity.entity_id: entity for entity in catalog.entities}
        devices = catalog.device_by_id
        self._people = [entity for entity in catalog.entities if entity.domain == "person"]
        self._phones: dict[str, list[str]] = {}
        for person in self._people:
            trackers = (person.attributes or {}).get("device_trackers") or []
            services: list[str] = []
            for tracker_id in trackers if isinstance(trackers, list) else []:
                tracker = entities.get(str(tracker_id))
                device = devices.get(tracker.device_id or "") if tracker else None
                # A tracker on a device is the mobile app's (network trackers have none).
                if device is not None:
                    services.append(f"{_MOBILE_APP}{slug(device.name)}")
            self._phones[person.entity_id] = list(dict.fromkeys(services))

    def actions(
        self, asked: Notify, message: str, chosen: frozenset[str]
    ) -> list[dict[str, Any]] | Ask | Refuse:
        """Return the calls that deliver a notification, or who is meant, or why not."""
        to = asked.to.casefold()
        if to in _ME:
            return self._to_speaker(message, chosen)
        if to in _EVERYONE:
            services = [s for person in self._people for s in self._phones[person.entity_id]]
            return _calls(list(dict.fromkeys(services)), message)
        person = self._person(to.removesuffix(" phone").removesuffix("s"))
        if person is None:
            return Refuse(f"There is no person called {asked.to!r} in this home.")
        return _calls(self._phones[person.entity_id], message)

    def _to_speaker(self, message: str, chosen: frozenset[str]) -> list[dict[str, Any]] | Ask:
        """Return the calls for "me": the only phone, else the one the user picks."""
        phones = {
            service: person for person in self._people for service in self._phones[person.entity_id]
        }
        picked = [service for service in phones if service in chosen]
        if len(phones) > 1 and not picked:
            options = tuple(
                (service, f"{person.name} ({service.removeprefix('notify.')})")
                for service, person in phones.items()
            )
            return Ask("notify", self._say.say("whose_phone"), options)
        return _calls(picked or list(phones), message)

    def _person(self, name: str) -> Entity | None:
        for person in self._people:
            spoken = {person.name.casefold(), *(alias.casefold() for alias in person.aliases)}
            first = person.name.casefold().split()
            if name in spoken or (first and name == first[0]):
                return person
        return None


def _calls(services: list[str], message: str) -> list[dict[str, Any]]:
    """Return one call per phone, or Home Assistant's own notification when there is none."""
    if not services:
        data = {"title": "HomeIQ", "message": message}
        return [{"action": PERSISTENT, "data": data}]
    return [{"action": service, "data": {"message": message}} for service in services]
