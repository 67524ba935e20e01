"""The app as gunicorn serves it in the benchmark: ``create_app()`` with the environment.

One difference from production, and only when asked: ``RATELIMIT_ENABLED=0`` turns the rate
limits off. Every benchmark client comes from 127.0.0.1, and the webinar sign-up allows
60 POSTs an hour per address: the load test would measure the 429 page. The app's config
reads no such variable (it always enables the limiter), hence this entry point.
"""

import os

from communaute import create_app

overrides = {}
if os.environ.get("RATELIMIT_ENABLED", "1").lower() in {"0", "false", "no", "off"}:
    overrides["RATELIMIT_ENABLED"] = False

app = create_app(overrides)
