"""Automation configs: YAML, validation and the safety policy."""
