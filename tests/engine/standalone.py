"""The integration's API client without Home Assistant, for the engine's environment.

custom_components/homeiq/api.py imports only aiohttp and yarl, but its package's __init__
imports Home Assistant, which the engine's environment does not have. The module is loaded
from its file under its own name, inside a package stand-in that does not run __init__: its
coverage counts for custom_components/homeiq/api.py, and "custom_components.homeiq.api..."
strings (monkeypatch) reach it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from importlib.machinery import ModuleSpec
from types import ModuleType

from tests.environments import REPO

PACKAGE = "custom_components.homeiq"
API = f"{PACKAGE}.api"
INTEGRATION = REPO / "custom_components" / "homeiq"


def load_integration_api() -> ModuleType:
    """Import custom_components.homeiq.api; without Home Assistant, skip the package's __init__."""
    if API in sys.modules:
        return sys.modules[API]
    if PACKAGE in sys.modules or importlib.util.find_spec("homeassistant") is not None:
        # Home Assistant is here (or the package already is): the ordinary import works.
        return importlib.import_module(API)
    namespace = importlib.import_module("custom_components")
    package_spec = ModuleSpec(PACKAGE, None, is_package=True)
    package_spec.submodule_search_locations = [str(INTEGRATION)]
    package = importlib.util.module_from_spec(package_spec)
    spec = importlib.util.spec_from_file_location(API, INTEGRATION / "api.py")
    assert spec is not None
    assert spec.loader is not None
    api = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = package
    sys.modules[API] = api
    try:
        spec.loader.exec_module(api)
    except BaseException:
        del sys.modules[API], sys.modules[PACKAGE]
        raise
    package.api = api  # type: ignore[attr-defined]
    namespace.homeiq = package  # type: ignore[attr-defined]
    return api
