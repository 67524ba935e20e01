"""The security log, newest first, and the coordinators' second factors."""

import logging

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from communaute.audit import EventKind, SecurityEvent, record_event
from communaute.auth import second_factor
from communaute.auth.access import coordinator_required
from communaute.auth.models import RecoveryCode, Role, User
from communaute.extensions import db
from communaute.forms import ButtonForm
from communaute.i18n import lazy_gettext as _l
from communaute.security import bp
from communaute.web import require_button, unit_of_work

log = logging.getLogger("communaute.security")

PER_PAGE = 50
#: What coordinators read for each kind, in the filter and in the table.
KIND_LABELS = {
    EventKind.login: _l("Login"),
    EventKind.login_failed: _l("Failed login"),
    EventKind.second_factor_used: _l("Second factor: code used"),
    EventKind.recovery_code_used: _l("Second factor: recovery code used"),
    EventKind.second_factor_failed: _l("Second factor: wrong code"),
    EventKind.second_factor_enabled: _l("Second factor set up"),
    EventKind.second_factor_reset: _l("Second factor reset"),
    EventKind.recovery_codes_renewed: _l("Second factor: new recovery codes"),
    EventKind.rate_limited: _l("Too many attempts (limit reached)"),
    EventKind.password_changed: _l("Password changed"),
    EventKind.password_check_failed: _l("Wrong current password"),
    EventKind.email_change_requested: _l("Email change asked"),
    EventKind.email_changed: _l("Email address changed"),
    EventKind.role_changed: _l("Role changed"),
    EventKind.account_exported: _l("Personal data downloaded"),
    EventKind.account_deleted: _l("Account deleted"),
}

#: The roles a "role changed" detail names (stored as "member → coordinator").
ROLE_LABELS = {
    "none": _l("new account"),
    Role.member.value: _l("member"),
    Role.coordinator.value: _l("coordinator"),
}


def describe(event: SecurityEvent) -> str:
    """The event's detail as a coordinator reads it."""
    if event.kind == EventKind.role_changed and event.detail:
        return " → ".join(str(ROLE_LABELS.get(p, p)) for p in event.detail.split(" → "))
    return event.detail or ""


@bp.after_app_request
def record_rate_limits(response):
    """Every 429, whichever limit and page, goes to the log; the 429 page never fails for it."""
    if response.status_code == 429:
        try:
            record_event(
                EventKind.rate_limited,
                user_id=current_user.id if current_user.is_authenticated else None,
                detail=f"{request.method} {request.url_rule.rule if request.url_rule else request.path}",
            )
            db.session.commit()
        except SQLAlchemyError as exc:
            db.session.rollback()
            log.warning("security log unavailable for a 429 on %s: %s", request.path, exc)
    return response


def _page_number() -> int:
    page = request.args.get("page", 1, type=int)
    return page if 1 <= page <= 10_000 else 1


@bp.route("/")
@coordinator_required
def index():
    kind = request.args.get("kind", "")
    kind = EventKind(kind) if kind in EventKind.__members__ else None
    query = (
        select(SecurityEvent)
        .options(selectinload(SecurityEvent.user), selectinload(SecurityEvent.actor))
        .order_by(SecurityEvent.created_at.desc(), SecurityEvent.id.desc())
    )
    if kind is not None:
        query = query.where(SecurityEvent.kind == kind)
    events = db.paginate(query, page=_page_number(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "security/index.html", events=events, kind=kind, kinds=KIND_LABELS, describe=describe
    )


@bp.route("/second-factor")
@coordinator_required
def second_factors():
    coordinators = db.session.scalars(
        select(User).where(User.role == Role.coordinator).order_by(User.display_name, User.id)
    ).all()
    left = dict(
        db.session.execute(
            select(RecoveryCode.user_id, func.count())
            .where(RecoveryCode.used_at.is_(None))
            .group_by(RecoveryCode.user_id)
        ).all()
    )
    return render_template(
        "security/second_factors.html", coordinators=coordinators, left=left, form=ButtonForm()
    )


@bp.route("/second-factor/<id:user_id>/reset", methods=["POST"])
@coordinator_required
def reset_second_factor(user_id):
    require_button(ButtonForm())
    person = db.get_or_404(User, user_id)
    name = person.display_name
    with unit_of_work() as work:
        second_factor.reset(person, actor=current_user._get_current_object())
        work.flash(
            _(
                "The second factor of %(name)s is reset. They will set it up again at their "
                "next login; we told them by email.",
                name=name,
            )
        )
    return redirect(url_for("security.second_factors"))
