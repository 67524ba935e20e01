"""Attendance the way it happens: a participant report imported, or people checked in.

Both write the ``attended`` of the confirmed seats of one session or webinar, never before
it has started. An import is recorded in one transaction: all of it, or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from communaute.coordination.models import ParentKind
from communaute.coordination.reports import Report, ReportRow
from communaute.db import utcnow
from communaute.errors import DomainError
from communaute.extensions import db
from communaute.i18n import fold
from communaute.i18n import lazy_gettext as _l
from communaute.seats import SeatState
from communaute.trainings.models import Registration
from communaute.webinars.models import Signup, Webinar


class AttendanceError(DomainError):
    pass


@dataclass(frozen=True)
class Seat:
    id: int
    name: str
    full_name: str
    email: str
    attended: bool | None


def started(kind: ParentKind, parent, now: datetime | None = None) -> bool:
    start = parent.starts_at if kind == ParentKind.session else parent.start_at
    return start <= (now or utcnow())


def check_started(kind: ParentKind, parent, now: datetime | None = None) -> None:
    if not started(kind, parent, now):
        raise AttendanceError(_l("Attendance can be taken once it has started."))


def _seat_rows(kind: ParentKind, parent_id: int):
    if kind == ParentKind.session:
        return db.session.scalars(
            select(Registration)
            .where(Registration.session_id == parent_id, Registration.state == SeatState.confirmed)
            .order_by(Registration.id)
            .options(joinedload(Registration.user))
        ).all()
    return db.session.scalars(
        select(Signup)
        .where(Signup.webinar_id == parent_id, Signup.state == SeatState.confirmed)
        .order_by(Signup.id)
        .options(joinedload(Signup.user))
    ).all()


def seats(kind: ParentKind, parent_id: int) -> list[Seat]:
    """The confirmed people, in one query, sorted by name."""
    out = []
    for row in _seat_rows(kind, parent_id):
        if kind == ParentKind.session:
            out.append(
                Seat(
                    row.id,
                    row.user.display_name,
                    row.user.full_name or "",
                    row.user.email,
                    row.attended,
                )
            )
        else:
            email = row.user.email if row.user else row.email
            out.append(Seat(row.id, row.name, row.attestation_name, email, row.attended))
    return sorted(out, key=lambda s: (fold(s.name), s.id))


@dataclass
class Match:
    row: ReportRow
    seat: Seat | None = None
    #: Several people share this address once accents and case are ignored.
    candidates: list[Seat] = field(default_factory=list)


@dataclass
class Matching:
    matched: list[Match] = field(default_factory=list)
    unmatched: list[ReportRow] = field(default_factory=list)
    ambiguous: list[Match] = field(default_factory=list)


def match_report(kind: ParentKind, parent_id: int, report: Report) -> Matching:
    """Each row to a confirmed person by address (case and accents ignored). Rows of the
    same address are added together (a person who left and came back)."""
    by_email: dict[str, list[Seat]] = {}
    for seat in seats(kind, parent_id):
        by_email.setdefault(fold(seat.email), []).append(seat)
    totals: dict[str, ReportRow] = {}
    for row in report.rows:
        key = fold(row.email)
        if key in totals:
            totals[key].minutes += row.minutes
        else:
            totals[key] = ReportRow(row.line, row.name, row.email, row.minutes)
    result = Matching(unmatched=list(report.without_email))
    for key, row in totals.items():
        found = by_email.get(key, [])
        if len(found) == 1:
            result.matched.append(Match(row, found[0]))
        elif found:
            result.ambiguous.append(Match(row, None, found))
        else:
            result.unmatched.append(row)
    return result


def record_import(
    kind: ParentKind, parent, present: dict[int, bool], *, now: datetime | None = None
) -> int:
    """Sets ``attended`` for the seats named in ``present`` (seat id -> came), all at once.
    Raises AttendanceError before the start or for an id that is not a confirmed seat of
    this session or webinar (nothing is recorded then). Returns how many came."""
    check_started(kind, parent, now)
    rows = {row.id: row for row in _seat_rows(kind, parent.id)}
    stray = set(present) - set(rows)
    if stray:
        raise AttendanceError(_l("The list changed meanwhile: import the file again."))
    for seat_id, came in present.items():
        rows[seat_id].attended = came
    _recorded(kind, parent, now)
    db.session.flush()
    return sum(present.values())


def check_in(kind: ParentKind, parent, seat_id: int, came: bool, *, now: datetime | None = None):
    """One person checked in (or out again) at the door. Raises AttendanceError before the
    start, or for a seat that is not a confirmed one of this parent."""
    check_started(kind, parent, now)
    model, parent_col = (
        (Registration, Registration.session_id)
        if kind == ParentKind.session
        else (Signup, Signup.webinar_id)
    )
    row = db.session.scalar(
        select(model).where(
            model.id == seat_id, parent_col == parent.id, model.state == SeatState.confirmed
        )
    )
    if row is None:
        raise AttendanceError(_l("This person is not on the list of confirmed people."))
    row.attended = came
    _recorded(kind, parent, now)
    db.session.flush()
    return row


def _recorded(kind: ParentKind, parent, now) -> None:
    if isinstance(parent, Webinar):
        parent.attendance_recorded_at = now or utcnow()
