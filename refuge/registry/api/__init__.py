"""The registry's part of the JSON API, one module per resource."""

from ninja import Router

from refuge.registry.api import households, people, posts, tallies

router = Router()
for resource in (households, people, tallies, posts):
    router.add_router("", resource.router)
