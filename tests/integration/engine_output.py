"""What the engine makes, as JSON on stdout, for the integration tier to give Home Assistant.

Runs in the engine's environment: `python -m tests.integration.engine_output <what>`. The
integration tier runs in Home Assistant's (.venv-ha), whose pins (hassil 2 among them) are
not the engine's: the engine's code runs here, on its own lock, and Home Assistant validates
what it printed (tests/integration/conftest.py's engine_output() starts this).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.automation.validate import validate_automation
from tests.engine.test_automation_validation import (
    AT_SEVEN,
    HOME,
    UNBOUNDED_REPEATS,
    VALID_ACTIONS,
    VALID_AUTOMATIONS,
    VALID_CONDITIONS,
    VALID_TRIGGERS,
    automation,
)
from tests.engine.test_suggestion_drafts import DRAFTED

if TYPE_CHECKING:
    from engine.query.automation import AutomationParser

# Configs the engine's schemas refuse because Home Assistant would: the negative control.
REFUSED: list[dict[str, Any]] = [
    *(
        automation(triggers=[trigger])
        for trigger in (
            {**AT_SEVEN, "weekday": ["mon"]},
            {"trigger": "sun", "event": "noon"},
            {"trigger": "sun", "event": "sunset", "offset": "half an hour"},
            {
                "trigger": "numeric_state",
                "entity_id": "sensor.living_room_temperature",
                "above": 25,
                "below": 20,
            },
            {"trigger": "time_pattern", "minutes": 60},
        )
    ),
    automation(conditions=[{"condition": "time", "weekday": ["mon", "funday"]}]),
    automation(actions=[{"delay": "five minutes"}]),
    automation(actions=[{"repeat": {"count": 2, "while": [], "sequence": []}}]),
]
# Requests whose configs the negative control breaks on purpose.
SUNSET_BLINDS = "30 minutes before sunset close the living room blinds"
WEEKDAY_KITCHEN = "every weekday at 7 turn on the kitchen light"


def automation_forms() -> dict[str, Any]:
    """Every automation form the engine's schemas accept or refuse, and drafted suggestions."""
    accepted = [
        *(automation(triggers=[item]) for item in VALID_TRIGGERS),
        *(automation(conditions=[item]) for item in VALID_CONDITIONS),
        *(automation(actions=[item]) for item in [*VALID_ACTIONS, *UNBOUNDED_REPEATS]),
        *VALID_AUTOMATIONS,
    ]
    return {
        "accepted": [
            {
                "config": config,
                "structure_errors": [
                    found.message
                    for found in validate_automation(config, HOME).errors
                    if found.code == "invalid_structure"
                ],
            }
            for config in accepted
        ],
        "plain": automation(),
        "refused": [
            {"config": config, "valid": validate_automation(config, HOME).valid}
            for config in REFUSED
        ],
        "drafted": DRAFTED,
    }


def _parsed(parser: AutomationParser, text: str, area_id: str | None = None) -> dict[str, Any]:
    result = parser.parse(text, area_id=area_id)
    return {
        "text": text,
        "area_id": area_id,
        "status": None if result is None else result.status,
        "automation": None if result is None else result.automation,
    }


def query_automations() -> dict[str, Any]:
    """The automation parser's configs for its tests' requests (tests/engine)."""
    # Here, not at the top: the other outputs do not depend on the parser importing.
    from engine.query.automation import AutomationParser  # noqa: PLC0415
    from tests.engine.test_query_automation import (  # noqa: PLC0415
        FAMILY_HOUSE,
        READY,
        TOO_FAST,
        TOO_LONG,
        WEEKDAYS,
        family_house,
        home,
    )
    from tests.engine.test_query_requests import REQUESTS, requests_home  # noqa: PLC0415

    parser = AutomationParser(home())
    in_family_house = AutomationParser(family_house())
    asked_in_words = AutomationParser(requests_home())
    return {
        "ready": [_parsed(parser, text, area_id) for text, area_id in READY],
        "family_house": [_parsed(in_family_house, text) for text in FAMILY_HOUSE],
        "requests": [_parsed(asked_in_words, text) for text in REQUESTS],
        "sunset_blinds": _parsed(parser, SUNSET_BLINDS),
        "weekday_kitchen": _parsed(parser, WEEKDAY_KITCHEN),
        "too_fast": TOO_FAST,
        "too_long": TOO_LONG,
        "weekdays": WEEKDAYS,
    }


OUTPUTS: dict[str, Callable[[], dict[str, Any]]] = {
    "automation-forms": automation_forms,
    "query-automations": query_automations,
}


def main(argv: list[str] | None = None) -> None:
    """Print one output as JSON."""
    parser = argparse.ArgumentParser(prog="python -m tests.integration.engine_output")
    parser.add_argument("what", choices=sorted(OUTPUTS))
    args = parser.parse_args(argv)
    json.dump(OUTPUTS[args.what](), sys.stdout)


if __name__ == "__main__":
    main()
