"""The API's routers, one module per area; ``skywarden.service.app`` mounts them."""
