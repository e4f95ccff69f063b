"""The home mirror: catalog and state history, imported or from Home Assistant."""
