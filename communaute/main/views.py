from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select, text

from communaute import subscriptions
from communaute.auth.access import coordinator_required
from communaute.cache import ANY, SITE, cached_for_visitors, depends_on
from communaute.email import OutboxMessage, OutboxState, dismiss, resend
from communaute.extensions import csrf, db, limiter
from communaute.forms import ButtonForm
from communaute.main import bp
from communaute.registry import home_blocks, me_sections
from communaute.web import require_button, unit_of_work


@bp.route("/")
@cached_for_visitors()
def home():
    shown = home_blocks()
    # Every block's topics before any block reads what it shows (the page cache).
    depends_on(*(t for b in shown for t in (b.topics if b.topics is not None else (ANY,))))
    blocks = [(block.key, block.context()) for block in shown]
    return render_template("main/home.html", blocks=blocks)


@bp.route("/privacy")
@cached_for_visitors(SITE)
def privacy():
    return render_template(
        "main/privacy.html",
        officer_name=current_app.config["PRIVACY_OFFICER_NAME"],
        officer_title=current_app.config["PRIVACY_OFFICER_TITLE"],
        officer_email=current_app.config["PRIVACY_OFFICER_EMAIL"],
        version=current_app.config["PRIVACY_POLICY_VERSION"],
    )


@bp.route("/me")
@login_required
def me():
    sections = [(s, s.context(current_user)) for s in me_sections()]
    return render_template("main/me.html", sections=sections, resend_form=ButtonForm())


@bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit("30 per minute", methods=["POST"])
def unsubscribe(token):
    """The link at the foot of every email a person asked for (RFC 8058).

    GET asks (a mail scanner opening the link changes nothing). POST stops it: from our
    button, or from the mail program's own "unsubscribe" button, which POSTs
    ``List-Unsubscribe=One-Click`` without a cookie or a form. That is why this one POST
    has no CSRF token: the secret token of the address is in the link, and all it can do
    is stop an email.
    """
    sub = subscriptions.by_token(token)
    if sub is None:
        return render_template("main/unsubscribe.html", sub=None), 404
    done = False
    if request.method == "POST":
        with unit_of_work():
            subscriptions.withdraw(sub)
        done = True
    return render_template(
        "main/unsubscribe.html",
        sub=sub,
        done=done or not sub.active,
        label=subscriptions.PURPOSE_LABELS.get(sub.purpose, sub.purpose),
    )


@bp.route("/favicon.ico")
def favicon():
    """Browsers and feed readers ask for /favicon.ico whatever the page says: the same icon."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.route("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.route("/outbox/")
@coordinator_required
def outbox():
    state = request.args.get("state", "failed")
    if state not in OutboxState.__members__:
        state = "failed"
    counts = dict(
        db.session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        ).all()
    )
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.state == OutboxState(state))
        .order_by(OutboxMessage.id.desc())
        .limit(200)
    ).all()
    return render_template(
        "main/outbox.html",
        messages=messages,
        counts={OutboxState(k): v for k, v in counts.items()},
        state=OutboxState(state),
        states=list(OutboxState),
        form=ButtonForm(),
        retention_days=current_app.config["OUTBOX_RETENTION_DAYS"],
    )


@bp.route("/outbox/<id:message_id>/resend", methods=["POST"])
@coordinator_required
def outbox_resend(message_id):
    msg = db.get_or_404(OutboxMessage, message_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        if resend(msg):
            work.flash(_("The email to %(address)s is back in the queue.", address=msg.recipient))
        else:
            work.flash(_("The text of this email was deleted: it cannot be sent again."), "error")
    return redirect(url_for("main.outbox", state="failed"))


@bp.route("/outbox/<id:message_id>/dismiss", methods=["POST"])
@coordinator_required
def outbox_dismiss(message_id):
    """A failed email that will not be sent: out of the list, its text deleted."""
    msg = db.get_or_404(OutboxMessage, message_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        if dismiss(msg):
            work.flash(
                _(
                    "The email to %(address)s will not be sent. Its text is deleted.",
                    address=msg.recipient,
                )
            )
    return redirect(url_for("main.outbox", state="failed"))


@bp.route("/coordination")
def coordination():
    """The address without its slash (and the endpoint of old links): the same page as
    /coordination/, with the same checks (communaute/coordination/views.py)."""
    from communaute.coordination.views import home

    return home()
