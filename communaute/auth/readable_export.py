"""The account's data as a page people can read and print (beside the JSON download).

The same data as ``services.export_account``, walked by one recursive template: each key
gets words (``LABELS``, translated; an unknown key still reads, from its own name), dates
are shown as people read them here, yes/no as words, nothing left out.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext as _

from communaute.auth.models import PARTICIPATION_LABELS
from communaute.i18n import format_local, lazy_pgettext
from communaute.i18n import lazy_gettext as _l

LABELS = {
    "account": _l("Your account"),
    "consents": _l("Your consents"),
    "emails": _l("Emails we sent you"),
    "trainings": _l("Your trainings"),
    "webinars": _l("Your webinars"),
    "magazine": _l("Your texts for the magazine"),
    "security_log": _l("Security log"),
    "second_factor": _l("Second factor"),
    "format": _l("Format of this export"),
    "exported_at": _l("Exported on"),
    "email": _l("Email address"),
    "pending_email": _l("New address waiting for confirmation"),
    "display_name": _l("Name shown"),
    "full_name": _l("Full name for attestations"),
    "name": _l("Name"),
    "language": _l("Language"),
    "participation": _l("You take part as"),
    "role": _l("Role"),
    "created_at": _l("Created on"),
    "confirmed_at": _l("Confirmed on"),
    "last_login_at": _l("Last login"),
    "accommodations": _l("Accommodation needs"),
    "captions": _l("Captions"),
    "sign_language": _l("Sign language"),
    "large_print": _l("Large print"),
    "phone_only": _l("By phone only"),
    "helper": _l("With a helper"),
    "other": _l("Other"),
    "purpose": _l("Purpose"),
    "granted": _l("Given"),
    "version": _l("Version"),
    "text": _l("Text"),
    "recorded_at": _l("Recorded on"),
    "kind": _l("Kind"),
    "subject": _l("Subject"),
    "to": _l("To"),
    "sent_at": _l("Sent on"),
    "state": _l("State"),
    "course": _l("Course"),
    "session_start": _l("Session starts"),
    "attended": lazy_pgettext("export", "Attended"),
    "registered_at": _l("Registered on"),
    "cancelled_at": _l("Cancelled on"),
    "history": _l("History"),
    "from": _l("From"),
    "at": _l("On"),
    "reason": _l("Reason"),
    "webinar": _l("Webinar"),
    "start_at": _l("Starts"),
    "how_heard": _l("How you heard of it"),
    "news_consent": _l("News of the series"),
    "news_consent_text": _l("Words you agreed to"),
    "news_consent_at": _l("Agreed on"),
    "joined_at": lazy_pgettext("export", "Signed up on"),
    "title": _l("Title"),
    "form": _l("Form"),
    "perspective": _l("Point of view"),
    "byline": _l("Signature"),
    "pen_name": _l("Pen name"),
    "third_party": _l("Another person in the text"),
    "themes": _l("Themes"),
    "edition": _l("Edition"),
    "submitted_at": _l("Sent on"),
    "published_at": _l("Published on"),
    "withdrawn_at": _l("Withdrawn on"),
    "messages": _l("Messages"),
    "body": _l("Message"),
    "text_edits": _l("Edits of the text"),
    "old_text": _l("Before"),
    "new_text": _l("After"),
    "resolved_at": _l("Answered on"),
    "note": _l("Note"),
    "network": _l("Network"),
    "detail": _l("Detail"),
    "id": _l("Number"),
    # Issue 13, journeys: the calendar feed, a guest's accessibility needs.
    "calendar_feed": _l("Your calendar address"),
    "active": _l("Turned on"),
    "address": _l("Address"),
    "accessibility_needs": _l("Accessibility needs"),
}

#: Codes the export keeps as codes (for another service), shown in words here.
VALUE_LABELS = {
    "language": {"fr": _l("French"), "en": _l("English")},
    "role": {"member": _l("Member"), "coordinator": _l("Coordinator")},
    "participation": {key.value: text for key, text in PARTICIPATION_LABELS.items()},
    "state": {
        "confirmed": lazy_pgettext("export", "Confirmed"),
        "waiting": _l("On the waiting list"),
        "cancelled": lazy_pgettext("export", "Cancelled"),
        "sent": _l("Sent"),
        "pending": _l("Waiting to be sent"),
        "failed": _l("Could not be delivered"),
    },
}

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def label(key) -> str:
    if isinstance(key, str) and key in LABELS:
        return str(LABELS[key])
    return str(key).replace("_", " ").capitalize()


def value(item, key=None) -> str:
    """A leaf of the export as words: yes/no, a date people read, a code's label, "—" for
    nothing. ``key``: the name the leaf is under."""
    if isinstance(item, str) and item in VALUE_LABELS.get(key, {}):
        return str(VALUE_LABELS[key][item])
    if item is None or item == "":
        return "—"
    if item is True:
        return _("yes")
    if item is False:
        return _("no")
    if isinstance(item, str) and _ISO.match(item):
        try:
            return format_local(datetime.fromisoformat(item))
        except ValueError:
            return item
    return str(item)
