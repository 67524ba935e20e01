"""What the security pages add to the shared registries."""

from communaute.cache import page_topics
from communaute.i18n import lazy_gettext as _l
from communaute.registry import register_coordination_link

register_coordination_link(
    "security",
    endpoint="security.index",
    label=_l("Security log and second factors"),
    order=90,
)


page_topics("security_events")
