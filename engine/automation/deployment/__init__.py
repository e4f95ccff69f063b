"""Deploying approved automations into Home Assistant, with versions, rollback and watching."""
