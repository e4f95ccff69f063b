"""Runs of words that nearly name something: found once per home, the same every time."""

from __future__ import annotations

import pytest
from hassil.intents import TextSlotValue

from engine.home.catalog import CatalogSource, catalog_from_import
from engine.query import slots
from engine.query.commands import COMMAND_DOMAINS
from engine.query.slots import VOCABULARIES, HomeIndex

from .test_query_live_states import BODY

CATALOG = catalog_from_import({"devices": [], "floors": [], **BODY}, CatalogSource.IMPORT)


def _index() -> HomeIndex:
    return HomeIndex(CATALOG, COMMAND_DOMAINS, VOCABULARIES["en"])


def _said(near: dict[str, list[TextSlotValue]]) -> dict[str, list[tuple[str, object]]]:
    return {
        slot: [(repr(value.text_in), value.value_out) for value in values]
        for slot, values in near.items()
    }


def test_a_run_of_words_is_looked_for_once(monkeypatch: pytest.MonkeyPatch) -> None:
    index = _index()
    compared: list[list[str]] = []
    typos = slots._typos

    def counted(said: list[str], names: list[str]) -> list[set[int]]:
        compared.append(said)
        return typos(said, names)

    monkeypatch.setattr(slots, "_typos", counted)
    first = index.near_lists("turn on the kitchn lights", [])
    assert compared, "the first sentence compares its runs with the home's names"
    assert any(value.value_out.ids == ("light.kitchen",) for value in first["name"])
    compared.clear()
    # The same runs, in another sentence: what they nearly name is known.
    again = index.near_lists("switch off the kitchn lights", [])
    runs = [run for said in compared for run in said]
    assert runs, "the new words are looked for"
    assert all("kitchn" not in run for run in runs)
    assert _said(again)["name"] == _said(first)["name"]


def test_what_is_kept_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slots, "_KEPT_RUNS", 40)
    index = _index()
    expected = _said(_index().near_lists("turn on the kitchn lights", []))
    for number in range(20):
        index.near_lists(f"turn on lamp {number} in the hall", [])
        assert len(index._near_runs) <= 40
    assert _said(index.near_lists("turn on the kitchn lights", [])) == expected


def test_what_is_kept_may_be_let_go_during_a_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    # Another parse starting again (the bound reached) while this one looks its runs up.
    index = _index()
    expected = _said(_index().near_lists("switch off the kitchn lights", []))
    index.near_lists("turn on the kitchn lights", [])
    near_values = HomeIndex._near_values

    def cleared_meanwhile(self: HomeIndex, phrases: list[str]) -> object:
        self._near_runs.clear()
        return near_values(self, phrases)

    monkeypatch.setattr(HomeIndex, "_near_values", cleared_meanwhile)
    assert _said(index.near_lists("switch off the kitchn lights", [])) == expected
