"""Demo content: a lunchtime series with past and upcoming webinars. Idempotent."""


def load_demo_webinars(coordinator, member) -> list[str]:
    return []
