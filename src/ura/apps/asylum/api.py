"""JSON API of the asylum app."""

from ninja import Router

router = Router(tags=["asylum"])
