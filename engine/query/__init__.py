"""Natural-language requests: commands and automations from plain sentences."""
