"""Demo testimonies (filled in below)."""


def load(coordinator, member) -> list[str]:
    return []
