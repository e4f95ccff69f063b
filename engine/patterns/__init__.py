"""Habit mining over a home's state history: time of day, co-occurrence, chains, anomalies."""
