"""Automation suggestions: made from habits and requests, stored, approved or rejected."""
