"""The reproducible demo scenario (filled in below)."""

DEMO_PASSWORD = "x"


def demo_load() -> list[tuple[object, str, str]]:
    return []
