"""Running as a Home Assistant app: the Supervisor's options, Core proxy and discovery."""
