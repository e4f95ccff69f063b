"""The load bench's requests: distinct, and a steady mix, as independent clients send them."""

from __future__ import annotations

import itertools
import re
from collections import Counter

from bench.load import CLIENTS, VARIED, requests
from bench.query import NOT_UNDERSTOOD, TEMPLATES, home_body

BODY = home_body()
AREAS = [area["name"].lower() for area in BODY["areas"]]
ENTITY_IDS = [entity["entity_id"] for entity in BODY["entities"]]


def _said(count: int) -> list[str]:
    work = requests(AREAS, ENTITY_IDS)
    said = (values["text"] for method, _path, values in work if method == "POST")
    return list(itertools.islice(said, count))


def _template_of(text: str) -> str:
    for template in (*TEMPLATES, *NOT_UNDERSTOOD, *VARIED):
        words = re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
        if re.fullmatch(re.sub(r"\{\w+\}", ".+?", words), text):
            return template
    raise AssertionError(f"no template says {text!r}")


def test_the_requests_in_flight_at_once_are_a_mix_of_kinds() -> None:
    # The clients send the next requests together: were they one kind in 50 areas, the
    # load would swing from the dearest request to the cheapest, not be a load of clients.
    said = _said(4000)
    for start in range(0, len(said) - CLIENTS, CLIENTS // 2):
        kinds = Counter(_template_of(text) for text in said[start : start + CLIENTS])
        assert max(kinds.values()) <= CLIENTS // 5, (start, kinds.most_common(2))


def test_the_requests_are_distinct() -> None:
    said = _said(12_000)
    assert len(set(said)) == len(said)
