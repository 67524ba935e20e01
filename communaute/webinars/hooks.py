"""What the webinars add to the shared registries: /me, export and erase, home, demo."""

from flask_babel import lazy_gettext as _l

from communaute.demo import DEMO_LOADERS
from communaute.main.views import COORDINATION_LINKS, HOME_BLOCKS
from communaute.privacy import register_me_section, register_personal_data
from communaute.webinars import services
from communaute.webinars.demo import load_demo_webinars


def _me_context(user) -> dict:
    signups = services.signups_of(user)
    return {
        "signups": signups,
        "cancel_tokens": {s.id: services.make_cancel_token(s) for s in signups},
    }


def _home_block() -> dict:
    return {"template": "webinars/_home.html", "webinars": services.upcoming_webinars(limit=3)}


register_personal_data(
    "webinars",
    export=services.export_signups,
    erase=services.erase_signups,
    tables=("webinar_signups",),
)
register_me_section("webinars", template="webinars/_me.html", context=_me_context, order=20)
HOME_BLOCKS["20_webinars"] = _home_block
if not any(endpoint == "webinars.manage" for endpoint, _label in COORDINATION_LINKS):
    COORDINATION_LINKS.append(("webinars.manage", _l("Webinars: series, sign-ups, attendance")))
if load_demo_webinars not in DEMO_LOADERS:
    DEMO_LOADERS.append(load_demo_webinars)
