"""The app as gunicorn serves it in the benchmark: ``create_app()`` with the environment.

bench/run.py sets ``RATELIMIT_ENABLED=0`` (read by communaute/config.py): every benchmark
client comes from 127.0.0.1, and the webinar sign-up allows 60 POSTs an hour per address, so
the load test would otherwise measure the 429 page. Nothing else differs from production.
"""

from communaute import create_app

app = create_app()
