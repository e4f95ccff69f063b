"""A development Home Assistant with a synthetic home, the engine and HomeIQ set up."""
