"""Entity resolution: what a command acts on, or the question to ask when that is unclear."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz, process, utils

from engine.home.catalog import Entity
from engine.query.messages import Messages, messages
from engine.query.slots import HomeIndex, SlotRef

# More options than this make a poor question; ask for the area instead.
MAX_OPTIONS: Final = 8
# Acting on several of these at once, unasked for by name, is worth a question first.
_SENSITIVE_DOMAINS: Final = frozenset({"alarm_control_panel", "lock", "valve"})
_SENSITIVE_COVERS: Final = frozenset({"door", "garage", "gate"})


@dataclass(frozen=True, slots=True)
class Target:
    """What a sentence says to act on, as constraints on the home's entities."""

    name: SlotRef | None = None
    area: SlotRef | None = None
    floor: SlotRef | None = None
    domains: frozenset[str] | None = None
    device_classes: frozenset[str] | None = None
    # Supported-feature bits the action needs (checked where the catalog knows them).
    features: int = 0
    # States that single out the meant entities ("pause" means the ones playing).
    states: frozenset[str] | None = None
    # The action takes exactly one entity (a thermostat's set point, a list).
    single: bool = False
    # The sentence asks for all of them ("all the lights").
    every: bool = False
    # Only states are read (a question): nothing is done that would deserve a question.
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class Resolved:
    """The entities to act on."""

    entity_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ask:
    """A question whose answer picks the target; options are (value, label)."""

    kind: str  # "entity" or "area"
    question: str
    options: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Refuse:
    """Nothing in the home fits; the message says what was not found."""

    message: str


type Resolution = Resolved | Ask | Refuse

# The option that means every entity offered.
EVERY_OPTION = "all"


def settle(ask: Ask, chosen: frozenset[str]) -> tuple[str, ...]:
    """Return the option values of a question the user already picked (a refine), if any."""
    values = [value for value, _label in ask.options]
    if EVERY_OPTION in chosen and EVERY_OPTION in values:
        return tuple(value for value in values if value != EVERY_OPTION)
    return tuple(value for value in values if value in chosen)


def noun(domains: frozenset[str] | None, device_classes: frozenset[str] | None) -> str:
    """Return what an English answer calls the devices a target allows, e.g. "light"."""
    return messages("en").noun(domains, device_classes)


def is_sensitive(entity: Entity) -> bool:
    """Return whether acting on an entity unasked deserves a question (locks, doors, water)."""
    return entity.domain in _SENSITIVE_DOMAINS or (
        entity.domain == "cover" and entity.device_class in _SENSITIVE_COVERS
    )


def _supports(entity: Entity, features: int) -> bool:
    """Return whether an entity has the feature bits; unknown features count as present."""
    supported = (entity.attributes or {}).get("supported_features")
    return not isinstance(supported, int) or (supported & features) == features


class Resolver:
    """Resolves targets against one home as Home Assistant's matcher does, but asks, not fails."""

    def __init__(self, home: HomeIndex, said: Messages | None = None) -> None:
        self._home = home
        self._say = said or messages("en")

    def resolve(self, target: Target, context_area: str | None) -> Resolution:
        """Return the entities a target means, a question, or why nothing fits."""
        found = self._candidates(target)
        if isinstance(found, Refuse):
            return found
        candidates, what = found
        placed = self._place(candidates, target, what)
        if not isinstance(placed, tuple):
            return placed
        candidates, area = placed
        name = target.name
        if target.states and (name is None or name.generic):
            # Like Home Assistant's required states, but only to narrow: the catalog's
            # state may lag, so a named entity is acted on whatever it last reported.
            candidates = [e for e in candidates if e.state in target.states] or candidates
        chosen = self._narrow(candidates, target, area, context_area, what)
        if isinstance(chosen, Ask):
            return chosen
        return Resolved(tuple(entity.entity_id for entity in chosen))

    def ask_area(self, target: Target) -> Ask | Refuse:
        """Return which area is meant, with the areas that have such devices as options."""
        found = self._candidates(target)
        if isinstance(found, Refuse):
            return found
        candidates, what = found
        areas = dict.fromkeys(self._home.entity_area.get(e.entity_id) for e in candidates)
        areas.pop(None, None)
        if not areas:
            return Refuse(self._say.say("unplaced", what=what))
        return self._ask_area(areas, what)

    def _candidates(self, target: Target) -> tuple[list[Entity], str] | Refuse:
        """Return the entities of the right kind and name that can do it, and what they are."""
        what = self._say.noun(target.domains, target.device_classes)
        candidates = list(self._home.entities.values())
        if (name := target.name) is not None:
            candidates = [entity for entity in candidates if entity.entity_id in name.ids]
        kind = [
            entity
            for entity in candidates
            if (target.domains is None or entity.domain in target.domains)
            and (target.device_classes is None or entity.device_class in target.device_classes)
        ]
        if not kind:
            if name is not None and candidates:
                return Refuse(self._say.say("cannot", name=candidates[0].name))
            return Refuse(self._say.say("none", what=what))
        if name is not None:
            what = self._say.noun(
                frozenset(entity.domain for entity in kind),
                frozenset(entity.device_class for entity in kind if entity.device_class) or None,
            )
        capable = [entity for entity in kind if _supports(entity, target.features)]
        if not capable:
            return Refuse(self._say.say("cannot", name=kind[0].name))
        return capable, what

    def _place(
        self, candidates: list[Entity], target: Target, what: str
    ) -> tuple[list[Entity], SlotRef | None] | Ask | Refuse:
        """Return the candidates on the floor and in the area asked for, and that area."""
        home = self._home
        if (floor := target.floor) is not None:
            candidates = [entity for entity in candidates if self._floor_of(entity) in floor.ids]
            if not candidates:
                return Refuse(self._say.say("none_on", what=what, place=floor.text))
        area = target.area if target.area is not None and target.area.ids else None
        if area is None:
            return candidates, None
        in_area = [e for e in candidates if home.entity_area.get(e.entity_id) in area.ids]
        if not in_area:
            if area.from_context:
                # The area of the device spoken to is a preference, not a constraint.
                return candidates, None
            return Refuse(self._say.say("none_in", what=what, place=area.text))
        areas = dict.fromkeys(home.entity_area.get(entity.entity_id) for entity in in_area)
        if not area.exact and not target.every and len(areas) > 1:
            # "The bedroom" in a home with two: which one is not ours to pick.
            return self._ask_area(areas, what)
        return in_area, area

    def _narrow(
        self,
        candidates: list[Entity],
        target: Target,
        area: SlotRef | None,
        context_area: str | None,
        what: str,
    ) -> list[Entity] | Ask:
        """Return the entities meant, or a question when the sentence leaves a choice open."""
        if len(candidates) == 1:
            return candidates
        name = target.name
        named = name is not None and not name.generic
        everywhere = area is None and target.floor is None
        if context_area is not None and (named or everywhere):
            # Home Assistant's preferred area: the device spoken to decides between equals.
            here = [
                e for e in candidates if self._home.entity_area.get(e.entity_id) == context_area
            ]
            if len(here) == 1 or (here and target.every and not named):
                return here
        if name is not None and name.exact:
            # Several entities share the name: Home Assistant fails; asking is better.
            return self._ask_entity(candidates, self._say.say("which_name", name=name.text), what)
        # Several locks, doors or valves: only "all of them in the hall" acts without asking.
        sensitive = (
            not target.read_only
            and (everywhere or not target.every)
            and any(map(is_sensitive, candidates))
        )
        if target.single or sensitive or ((named or everywhere) and not target.every):
            question = self._say.say("which", what=what)
            every = sensitive and not target.single
            return self._ask_entity(candidates, question, what, every=every)
        return candidates

    def _ask_entity(
        self, candidates: list[Entity], question: str, what: str, *, every: bool = False
    ) -> Ask:
        """Return a question with one option per entity (or per area if there are many)."""
        home = self._home
        if len(candidates) > MAX_OPTIONS:
            areas = dict.fromkeys(home.entity_area.get(entity.entity_id) for entity in candidates)
            if 1 < len(areas) <= MAX_OPTIONS and None not in areas:
                return self._ask_area(areas, what)
        options = [(entity.entity_id, home.label(entity.entity_id)) for entity in candidates]
        del options[MAX_OPTIONS:]
        if every:
            options.append((EVERY_OPTION, self._say.say("every", count=len(candidates))))
        return Ask("entity", question, tuple(options))

    def _ask_area(self, areas: dict[str | None, None], what: str) -> Ask:
        """Return a question with one option per area."""
        options = tuple(
            (area_id, self._home.area_label(area_id)) for area_id in areas if area_id is not None
        )
        return Ask("area", self._say.say("where", what=what), options)

    def suggest(
        self,
        spoken: str,
        slot: str,
        domains: frozenset[str] | None,
        what: str,
        *,
        within: frozenset[str] | None = None,
    ) -> Ask | Refuse | None:
        """Return a question about unrecognised words, with the closest devices or areas.

        `domains` is what the sentence says the device is (None: unsure); `within` bounds
        the devices offered when unsure (what a command can act on).
        """
        home = self._home
        candidates = [
            entity
            for entity in home.entities.values()
            if (domains is None or entity.domain in domains)
            and (within is None or entity.domain in within)
        ]
        if not candidates:
            return Refuse(self._say.say("none", what=what))
        if slot in ("area", "floor"):
            areas = dict.fromkeys(home.entity_area.get(entity.entity_id) for entity in candidates)
            areas.pop(None, None)
            if not areas:
                return None
            return self._ask_area(areas, what)
        labels = {entity.entity_id: entity.name for entity in candidates}
        # Of the right kind, every device is an option (the most alike first); when the
        # kind is unsure, only the devices that resemble the words are.
        unsure = domains is None or len(candidates) > MAX_OPTIONS
        scored = process.extract(
            spoken,
            labels,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            score_cutoff=60 if unsure else 0,
            limit=MAX_OPTIONS,
        )
        if not scored:
            return None
        candidates = [home.entities[entity_id] for _label, _score, entity_id in scored]
        return self._ask_entity(
            candidates, self._say.say("which_by", what=what, spoken=spoken), what
        )

    def _floor_of(self, entity: Entity) -> str | None:
        area_id = self._home.entity_area.get(entity.entity_id)
        area = self._home.areas.get(area_id) if area_id else None
        return area.floor_id if area else None
