"""The HTTP edge: auth, the error envelope, routing, OpenAPI, health and stats."""
