"""Shape of the coordinator forms; the rules (dates in order, capacity) live in services."""

from __future__ import annotations

import re
from datetime import time

from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp, ValidationError

from communaute.forms import BaseForm, check_local_time, plausible_year
from communaute.i18n import lazy_gettext as _l
from communaute.i18n import local_to_utc, utc_to_local
from communaute.trainings.models import (
    AUDIENCE_LABELS,
    FORMAT_LABELS,
    LANGUAGE_LABELS,
    REGISTRATION_STATE_LABELS,
    SESSION_STATE_LABELS,
    SessionState,
)

#: Addresses the blueprint uses itself: no course may take them.
RESERVED_SLUGS = {"manage", "sessions", "registrations", "give-back"}
MAX_CAPACITY = 10000


def _required():
    return DataRequired(message=_l("This field is required."))


def _choices(labels: dict):
    return [
        SelectChoice(key.value if hasattr(key, "value") else key, label)
        for key, label in labels.items()
    ]


def _not_reserved(form, field):
    if field.data in RESERVED_SLUGS:
        raise ValidationError(_l("This address is reserved. Choose another one."))


def _web_link(form, field):
    if field.data and not re.match(r"^https?://", field.data, re.I):
        raise ValidationError(_l("Give a complete web address starting with https://"))


#: What a coordinator may write in English too (Course.<field>_en).
ENGLISH_FIELDS = ("title", "summary", "description", "duration", "prerequisites")


class CourseForm(BaseForm):
    title = StringField(_l("Title"), validators=[_required(), Length(max=200)])
    slug = StringField(
        _l("Web address"),
        validators=[
            _required(),
            Length(max=80),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message=_l("Use lowercase letters without accents, digits and hyphens only."),
            ),
            _not_reserved,
        ],
    )
    en_title = StringField(
        _l("Title in English"),
        description=_l("Optional. Without it, English readers see the French title."),
        validators=[Optional(), Length(max=200)],
    )
    summary = StringField(_l("Summary"), validators=[_required(), Length(max=500)])
    en_summary = StringField(
        _l("Course summary in English"),
        description=_l("Optional."),
        validators=[Optional(), Length(max=500)],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])
    en_description = TextAreaField(
        _l("Description in English"),
        description=_l("Optional."),
        validators=[Optional(), Length(max=20000)],
    )
    language = SelectField(_l("Language"), choices=_choices(LANGUAGE_LABELS))
    format = SelectField(_l("Format"), choices=_choices(FORMAT_LABELS))
    audience = SelectField(_l("Audience"), choices=_choices(AUDIENCE_LABELS))
    duration = StringField(_l("Duration"), validators=[Optional(), Length(max=100)])
    en_duration = StringField(
        _l("Duration in English"),
        description=_l("Optional."),
        validators=[Optional(), Length(max=100)],
    )
    prerequisites = StringField(_l("Prerequisites"), validators=[Optional(), Length(max=500)])
    en_prerequisites = StringField(
        _l("Prerequisites in English"),
        description=_l("Optional."),
        validators=[Optional(), Length(max=500)],
    )
    material_url = StringField(
        _l("Material link (self-paced activities)"),
        validators=[
            Optional(),
            Length(max=500),
            _web_link,
            URL(message=_l("This web address is not valid.")),
        ],
    )
    allows_several = BooleanField(
        _l("A member may register for several sessions of this course"),
        description=_l(
            "Leave unticked when the sessions are the same course on different dates: "
            "a member who chooses a second date is offered to switch."
        ),
    )

    def values(self) -> dict:
        from communaute.trainings.models import Audience, CourseFormat

        return {
            "title": self.title.data,
            "slug": self.slug.data,
            "summary": self.summary.data,
            "description": self.description.data or "",
            "language": self.language.data,
            "format": CourseFormat(self.format.data),
            "audience": Audience(self.audience.data),
            "duration": self.duration.data or "",
            "prerequisites": self.prerequisites.data or "",
            "material_url": self.material_url.data or None,
            "allows_several": bool(self.allows_several.data),
            **{f"{name}_en": getattr(self, f"en_{name}").data or None for name in ENGLISH_FIELDS},
        }

    def fill_english(self, course) -> None:
        """The English fields are named ``en_<field>`` (the columns ``<field>_en``)."""
        for name in ENGLISH_FIELDS:
            getattr(self, f"en_{name}").data = getattr(course, f"{name}_en")


def _capacity(form, field):
    value = (field.data or "").strip()
    if not value:
        field.data = ""
        return
    if not re.fullmatch(r"[0-9]{1,6}", value) or not 1 <= int(value) <= MAX_CAPACITY:
        raise ValidationError(
            _l(
                "Give a positive whole number of seats (at most %(max)d), "
                "or leave empty for no limit.",
                max=MAX_CAPACITY,
            )
        )


class SessionForm(BaseForm):
    start_date = DateField(
        _l("Date"),
        validators=[DataRequired(message=_l("Give a valid date.")), plausible_year],
    )
    start_time = TimeField(
        _l("Start time"), validators=[DataRequired(message=_l("Give a valid time."))]
    )
    end_time = TimeField(
        _l("End time"), validators=[DataRequired(message=_l("Give a valid time."))]
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    online_url = StringField(
        _l("Online link"),
        validators=[
            Optional(),
            Length(max=500),
            _web_link,
            URL(message=_l("This web address is not valid.")),
        ],
    )
    capacity = StringField(_l("Number of seats"), validators=[Length(max=20), _capacity])
    deadline_date = DateField(
        _l("Registration deadline (date)"), validators=[Optional(), plausible_year]
    )
    deadline_time = TimeField(_l("Registration deadline (time)"), validators=[Optional()])
    state = SelectField(
        _l("Registration"),
        choices=[
            SelectChoice(s.value, SESSION_STATE_LABELS[s])
            for s in (SessionState.open, SessionState.closed)
        ],
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        ok = check_local_time(self.start_date, self.start_time) and ok
        ok = check_local_time(self.start_date, self.end_time) and ok
        if self.deadline_time.data:
            ok = check_local_time(self.deadline_date, self.deadline_time) and ok
        if not (self.place.data or self.online_url.data) and not self.place.errors:
            self.place.errors = [*self.place.errors, _l("Give a place, an online link, or both.")]
            ok = False
        return ok

    def values(self) -> dict:
        deadline = None
        if self.deadline_date.data:
            deadline = local_to_utc(
                self.deadline_date.data, self.deadline_time.data or time(23, 59)
            )
        return {
            "starts_at": local_to_utc(self.start_date.data, self.start_time.data),
            "ends_at": local_to_utc(self.start_date.data, self.end_time.data),
            "place": self.place.data or "",
            "online_url": self.online_url.data or None,
            "capacity": int(self.capacity.data) if self.capacity.data else None,
            "registration_deadline": deadline,
        }

    def fill(self, session) -> None:
        self.start_date.data, self.start_time.data = utc_to_local(session.starts_at)
        self.end_time.data = utc_to_local(session.ends_at)[1]
        self.place.data = session.place
        self.online_url.data = session.online_url or ""
        self.capacity.data = str(session.capacity) if session.capacity else ""
        if session.registration_deadline:
            self.deadline_date.data, self.deadline_time.data = utc_to_local(
                session.registration_deadline
            )
        self.state.data = session.state.value


class MoveForm(BaseForm):
    to_state = SelectField(_l("Move to"), choices=_choices(REGISTRATION_STATE_LABELS))
    reason = StringField(_l("Reason (kept in the log)"), validators=[_required(), Length(max=500)])


class CancelSessionForm(BaseForm):
    reason = StringField(
        _l("Reason given to the registrants"), validators=[Optional(), Length(max=500)]
    )
