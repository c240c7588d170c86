"""JSON API of the trafficking app."""

from ninja import Router

router = Router(tags=["trafficking"])
