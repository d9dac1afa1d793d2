"""Edge: the aiohttp application (health, REST API, websockets, pages)."""
