"""Exclusions resolved against the home: by id, by area (or the device's) and by label."""

from __future__ import annotations

from typing import Any, cast

from engine.home.catalog import Catalog, CatalogSource, catalog_from_import
from engine.preferences.exclusion import Excluded, resolve
from engine.preferences.model import Exclusions

BODY: dict[str, Any] = {
    "time_zone": "UTC",
    "floors": [],
    "areas": [{"area_id": "hall", "name": "Hall"}, {"area_id": "attic", "name": "Attic"}],
    "devices": [{"device_id": "d1", "name": "Attic hub", "area_id": "attic"}],
    "entities": [
        {"entity_id": "light.hall", "name": "Hall light", "area_id": "hall"},
        {"entity_id": "light.attic", "name": "Attic light", "device_id": "d1"},
        {"entity_id": "switch.fan", "name": "Fan", "labels": ["noisy"]},
    ],
}
CATALOG = catalog_from_import(BODY, CatalogSource.IMPORT)


class _Untouchable:
    """A catalog whose entities must not be read."""

    @property
    def entities(self) -> list[Any]:
        raise AssertionError("the whole catalog was read")


def test_areas_devices_areas_and_labels_are_resolved() -> None:
    excluded = resolve(Exclusions(areas=("attic",), labels=("noisy",)), CATALOG)
    assert excluded == Excluded(
        entities=frozenset({"light.attic", "switch.fan"}), areas=frozenset({"attic"})
    )


def test_entities_by_id_alone_need_no_pass_over_the_home() -> None:
    # Every listing of suggestions resolves the exclusions again.
    untouchable = cast("Catalog", _Untouchable())
    assert resolve(Exclusions(entities=("light.hall",)), untouchable) == Excluded(
        entities=frozenset({"light.hall"})
    )
    assert not resolve(Exclusions(), untouchable)
