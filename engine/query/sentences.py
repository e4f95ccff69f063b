"""Sentence templates added to Home Assistant's own, merged in as its custom sentences are."""

from __future__ import annotations

from typing import Any, Final

# Phrasings people use that Home Assistant's grammar does not cover yet. Same hassil syntax,
# intents and slots as its own, so every match goes through the one resolution and mapping;
# a language without an entry here gets exactly Home Assistant's grammar.
_EN: Final[dict[str, Any]] = {
    # "Turn on both the kitchen and the hall light": "both" adds nothing to the request.
    "skip_words": ["both"],
    "expansion_rules": {
        # "Shut off the lights" is as common as "turn off"; "shut" already closes covers.
        "turn": "(turn|switch|change|bring|shut)",
        "music": "[the|my] (music|song|podcast|audio|media [player[s]]|[tv] show[s])",
        "vacuum": "[the] (vacuum [cleaner]|robot [vacuum]|vacuum robot)",
        "dock": "[the] (base|dock|charger)",
        "water": "[the] (water|sprinkler[s]|irrigation)",
        "degrees": "{temperature}( degree[s]|[ ]°)",
    },
    "lists": {
        "fan_speed": {"range": {"type": "percentage", "from": 0, "to": 100}},
    },
    "intents": {
        "HassTurnOn": {
            "data": [
                {
                    "requires_context": {"domain": ["cover", "valve"]},
                    "sentences": ["<open> <area> <name>"],
                },
                {
                    "slots": {"domain": "valve"},
                    "sentences": [
                        "<open> [the] valve[s] <in> <area>",
                        "<open> <area> valve[s]",
                        "<turn> on <water> <in> <area>",
                        "<turn> on <area> <water>",
                        "water <area>",
                    ],
                },
                {
                    "slots": {"domain": "light"},
                    "sentences": ["<turn> on [<all>] <area> <light> [<in>] <floor>"],
                },
            ]
        },
        "HassTurnOff": {
            "data": [
                {
                    "requires_context": {"domain": ["cover", "valve"]},
                    "sentences": ["<close> <area> <name>"],
                },
                {
                    "slots": {"domain": "valve"},
                    "sentences": [
                        "<close> [the] valve[s] <in> <area>",
                        "<close> <area> valve[s]",
                        "<turn> off <water> <in> <area>",
                        "<turn> off <area> <water>",
                    ],
                },
                {
                    "slots": {"domain": "light"},
                    "sentences": ["<turn> (off|out) [<all>] <area> <light> [<in>] <floor>"],
                },
                {
                    "slots": {"domain": "media_player"},
                    "requires_context": {"area": {"slot": True}},
                    "sentences": ["<turn> off <music>"],
                },
                {
                    "slots": {"domain": "media_player"},
                    "sentences": ["<turn> off <music> <in> <area>", "<turn> off <area> <music>"],
                },
            ]
        },
        "HassGetState": {
            "data": [
                {
                    # Home Assistant asks "is <name> on"; of a plural name, "are".
                    "response": "one_yesno",
                    "excludes_context": {"domain": ["cover", "binary_sensor"]},
                    "sentences": [
                        "are [the] [state of] <name> {on_off_states:state} [<in_area_floor>]"
                    ],
                },
                {
                    # "Is the front door open" of a lock: its state answers.
                    "response": "one_yesno",
                    "excludes_context": {"domain": "binary_sensor"},
                    "sentences": [
                        "(is|are) <name> ({lock_states:state}|{cover_states:state}) "
                        "[<in_area_floor>]"
                    ],
                },
                # The state said in words, not a list, so that an unknown name ends before
                # it ("is the patio door locked"): the question is then which device.
                *(
                    {
                        "response": "one_yesno",
                        "slots": {"state": state},
                        "excludes_context": {"domain": excluded},
                        "sentences": [f"(is|are) <name> {said}"],
                    }
                    for state, said, excluded in (
                        ("on", "on", ["cover", "binary_sensor"]),
                        ("off", "off", ["cover", "binary_sensor"]),
                        ("locked", "[securely] locked", ["binary_sensor"]),
                        ("unlocked", "unlocked", ["binary_sensor"]),
                        ("open", "open", ["binary_sensor"]),
                        ("closed", "(closed|shut)", ["binary_sensor"]),
                    )
                ),
            ]
        },
        "HassVacuumStart": {
            "data": [
                {
                    "requires_context": {"domain": "vacuum"},
                    "sentences": ["start <name> vacuum", "<clean> with <name>"],
                },
                {
                    "requires_context": {"area": {"slot": True}},
                    "sentences": [
                        "start <vacuum>",
                        "<turn> on <vacuum>",
                        "start (vacuuming|cleaning)",
                        "<vacuum> start [cleaning]",
                    ],
                },
                {
                    "sentences": [
                        "<clean> <area>",
                        "start <vacuum> <in> <area>",
                        "start (vacuuming|cleaning) <area>",
                    ],
                },
            ]
        },
        "HassVacuumReturnToBase": {
            "data": [
                {
                    "requires_context": {"domain": "vacuum"},
                    "sentences": [
                        "<name> return [to <dock>]",
                        "(return|send) <name> (home|back [home]|[back] to <dock>)",
                        "dock <name>",
                    ],
                },
                {
                    "requires_context": {"area": {"slot": True}},
                    "sentences": [
                        "<vacuum> return [to <dock>]",
                        "(return|send) <vacuum> (home|back [home]|[back] to <dock>)",
                        "dock <vacuum>",
                    ],
                },
                {
                    "sentences": [
                        "(return|send) <vacuum> <in> <area> (home|back [home]|[back] to <dock>)",
                        "<vacuum> <in> <area> return [to <dock>]",
                    ],
                },
            ]
        },
        "HassMediaPause": {
            "data": [
                {
                    "requires_context": {"area": {"slot": True}},
                    "sentences": ["pause <music>"],
                },
            ]
        },
        "HassMediaUnpause": {
            "data": [
                {
                    "requires_context": {"area": {"slot": True}},
                    "sentences": ["(unpause|resume) [playing] <music>", "resume playing"],
                },
            ]
        },
        "HassMediaNext": {
            "data": [
                {
                    "requires_context": {"area": {"slot": True}},
                    "sentences": ["next song", "[play [the]] next (song|track)"],
                },
            ]
        },
        "HassLightSet": {
            "data": [
                {
                    "requires_context": {"domain": "light"},
                    "sentences": ["(dim|brighten) <name> [to] <brightness>"],
                },
                {
                    "sentences": [
                        "(dim|brighten) [<all>] <area> <light> [to] <brightness>",
                        "(dim|brighten) [(<all>|<the>)] <light> <in> <area> [to] <brightness>",
                    ],
                },
                {
                    "requires_context": {"area": {"slot": True}},
                    "sentences": ["(dim|brighten) [(<all>|<the>)] <light> [to] <brightness>"],
                },
            ]
        },
        "HassClimateSetTemperature": {
            "data": [
                {"sentences": ["(<numeric_value_set>|adjust|heat|cool) <area> to <degrees>"]},
                {
                    "requires_context": {"domain": "climate"},
                    "sentences": ["(<numeric_value_set>|adjust|heat|cool) <name> to <degrees>"],
                },
            ]
        },
        "HassFanSetSpeed": {
            "data": [
                {
                    "requires_context": {"domain": "fan"},
                    "sentences": [
                        "<numeric_value_set> <name> [speed] to {fan_speed:percentage}[%| percent]",
                        "<numeric_value_set> [the] speed of <name> to "
                        "{fan_speed:percentage}[%| percent]",
                    ],
                },
                {
                    "sentences": [
                        "<numeric_value_set> <area> fan[s] [speed] to "
                        "{fan_speed:percentage}[%| percent]",
                        "<numeric_value_set> [the] fan[s] [speed] <in> <area> to "
                        "{fan_speed:percentage}[%| percent]",
                    ],
                },
            ]
        },
    },
}

EXTRA_SENTENCES: Final[dict[str, dict[str, Any]]] = {"en": _EN}
