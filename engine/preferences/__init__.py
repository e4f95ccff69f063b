"""The household's settings, changed through the API and kept by the engine."""
