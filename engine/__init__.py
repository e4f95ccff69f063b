"""HomeIQ engine: learns a Home Assistant home's habits and turns them into automations."""

__version__ = "0.1.0"
