"""Home Assistant connection: websocket and REST client, catalog and history mirror."""
