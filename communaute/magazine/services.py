"""The magazine's rules: the editorial workflow, consents, text edits and withdrawal.

Every function takes its inputs explicitly (never ``request`` or ``current_user``), raises
``MagazineError`` with a translated message, and flushes without committing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from flask_babel import force_locale
from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.orm import selectinload

from communaute.auth.models import User
from communaute.db import utcnow
from communaute.email import OutboxMessage
from communaute.errors import DomainError, Problems
from communaute.extensions import db, read_rows
from communaute.i18n import REGIONAL, LocalNumber, lazy_ngettext
from communaute.i18n import lazy_gettext as _l
from communaute.magazine import emails
from communaute.magazine.models import (
    MESSAGE_MAX,
    TEXT_MAX,
    Byline,
    ConsentPurpose,
    Edition,
    Form,
    Perspective,
    RevisionState,
    StateChange,
    Submission,
    SubmissionConsent,
    SubmissionMessage,
    SubmissionState,
    TextRevision,
    Theme,
    ThirdParty,
    submission_themes,
)

S = SubmissionState

#: Version of the consent wording below; stored with each consent row.
CONSENT_VERSION = "2026-11"
CONSENT_TEXTS = {
    ConsentPurpose.web: _l(
        "I agree that Expériences publishes my text on its website, signed as I chose."
    ),
    ConsentPurpose.print: _l(
        "I agree that my text appears in the printed edition of the magazine."
    ),
    ConsentPurpose.training: _l(
        "I agree that my text is used in the training of clinicians and researchers."
    ),
    ConsentPurpose.contact: _l("I agree that the team contacts me about my text."),
}

AUTHOR = "author"
TEAM = "team"

#: The only moves there are: state -> {next state: who may make the move}.
#: A declined testimony can never be published; a withdrawn one is frozen.
TRANSITIONS: dict[SubmissionState, dict[SubmissionState, str]] = {
    S.draft: {S.submitted: AUTHOR, S.withdrawn: AUTHOR},
    S.submitted: {
        S.in_review: TEAM,
        S.changes_requested: TEAM,
        S.accepted: TEAM,
        S.declined: TEAM,
        S.withdrawn: AUTHOR,
    },
    S.in_review: {
        S.changes_requested: TEAM,
        S.accepted: TEAM,
        S.declined: TEAM,
        S.withdrawn: AUTHOR,
    },
    S.changes_requested: {S.submitted: AUTHOR, S.withdrawn: AUTHOR},
    S.accepted: {
        S.published: TEAM,
        S.changes_requested: TEAM,
        S.declined: TEAM,
        S.withdrawn: AUTHOR,
    },
    S.published: {S.withdrawn: AUTHOR},
    S.declined: {S.withdrawn: AUTHOR},
    S.withdrawn: {},
}

#: States in which the author may still edit the text.
EDITABLE = (S.draft, S.changes_requested)
#: States in which a coordinator may edit the text (it goes back to the author).
TEAM_EDITABLE = (S.submitted, S.in_review, S.accepted)


class MagazineError(DomainError):
    pass


def _in(language: str, text) -> str:
    """A lazy string rendered in ``language`` (request or not)."""
    with force_locale(REGIONAL.get(language, "fr_CA")):
        return str(text)


def can_move(submission: Submission, to: SubmissionState, actor: User) -> bool:
    who = TRANSITIONS[submission.state].get(to)
    if who == AUTHOR:
        return actor.id == submission.author_id
    if who == TEAM:
        return actor.is_coordinator
    return False


def _move(
    submission: Submission, to: SubmissionState, *, actor: User, note: str | None = None
) -> None:
    """The one guarded way to change a state; records who, when and why."""
    if not can_move(submission, to, actor):
        if submission.state == S.withdrawn:
            raise MagazineError(_l("This text was withdrawn by its author: it cannot change."))
        raise MagazineError(
            _l(
                "This move is not possible: the text is « %(state)s ».",
                state=submission.state_label,
            )
        )
    now = utcnow()
    submission.changes.append(
        StateChange(from_state=submission.state, to_state=to, by_id=actor.id, at=now, note=note)
    )
    submission.state = to
    submission.state_changed_at = now


# Writing and submitting ----------------------------------------------------------------


@dataclass
class SubmissionData:
    """What the author fills in. Shape is checked by the form; rules here."""

    title: str
    text: str
    form: str
    perspective: str
    language: str
    byline: str
    pen_name: str | None
    third_party: str
    theme_ids: Iterable[int]
    consents: dict[str, bool]
    #: The language the author read the consent words in (default: their account's).
    ui_language: str | None = None


def _check(data: SubmissionData, *, final: bool) -> None:
    """Every problem of the text at once (one round trip, not one per problem)."""
    problems = Problems(MagazineError)
    if final and not data.title.strip():
        problems.add(_l("Give your text a title."), field="title")
    if len(data.text) > TEXT_MAX:
        over = len(data.text) - TEXT_MAX
        problems.add(
            lazy_ngettext(
                "The text is %(n)s characters long; the limit is %(max)s. Shorten it by "
                "%(num)s character.",
                "The text is %(n)s characters long; the limit is %(max)s. Shorten it by "
                "%(num)s characters.",
                over,
                n=LocalNumber(len(data.text)),
                max=LocalNumber(TEXT_MAX),
                num=LocalNumber(over),
            ),
            field="text",
        )
    elif final and not data.text.strip():
        problems.add(_l("Write your text before sending it."), field="text")
    if data.byline == Byline.pen_name and not (data.pen_name or "").strip():
        problems.add(_l("Write the pen name you want to sign with."), field="pen_name")
    if final and not data.consents.get(ConsentPurpose.web):
        problems.add(
            _l("To send your text, you must agree to its publication on the website."),
            field="consent_web",
        )
    problems.raise_if_any()


def _record_consents(
    submission: Submission, wanted: dict[str, bool], language: str
) -> list[SubmissionConsent]:
    """Adds a row for each purpose whose answer is new or changed. Returns the new rows."""
    current = submission.current_consents()
    added = []
    now = utcnow()
    for purpose in ConsentPurpose:
        granted = bool(wanted.get(purpose))
        row = current.get(purpose)
        if row is not None and row.granted == granted:
            continue
        new = SubmissionConsent(
            purpose=purpose,
            granted=granted,
            text=_in(language, CONSENT_TEXTS[purpose]),
            version=CONSENT_VERSION,
            recorded_at=now,
        )
        submission.consents.append(new)
        added.append(new)
    return added


def _apply(submission: Submission, data: SubmissionData) -> None:
    submission.title = data.title.strip()
    submission.text = data.text
    submission.form = Form(data.form)
    submission.perspective = Perspective(data.perspective)
    submission.language = data.language
    submission.byline = Byline(data.byline)
    submission.pen_name = (data.pen_name or "").strip() or None
    if submission.byline != Byline.pen_name:
        submission.pen_name = None
    submission.third_party = ThirdParty(data.third_party or ThirdParty.none)
    ids = {int(i) for i in data.theme_ids}
    submission.themes = (
        list(db.session.scalars(select(Theme).where(Theme.id.in_(ids)))) if ids else []
    )
    _record_consents(submission, data.consents, data.ui_language or submission.author.language)


def save_draft(
    data: SubmissionData, *, author: User, submission: Submission | None = None
) -> Submission:
    """Creates or updates a draft (or a text with changes requested) without sending it."""
    _check(data, final=False)
    if submission is None:
        submission = Submission(author_id=author.id, author=author, state=S.draft)
        db.session.add(submission)
    elif submission.author_id != author.id or submission.state not in EDITABLE:
        raise MagazineError(_l("This text cannot be changed now."))
    if not data.title.strip():
        data.title = _in(author.language, _l("Untitled"))
    _apply(submission, data)
    db.session.flush()
    return submission


def submit(
    data: SubmissionData, *, author: User, submission: Submission | None = None
) -> Submission:
    """Sends a new text, a draft, or an answer to a change request (resubmission).

    Requires the web publication consent. Queues the receipt with the consents.
    """
    _check(data, final=True)
    if submission is None:
        submission = Submission(author_id=author.id, author=author, state=S.draft)
        db.session.add(submission)
    elif submission.author_id != author.id or submission.state not in EDITABLE:
        raise MagazineError(_l("This text cannot be changed now."))
    if submission.pending_revision is not None:
        raise MagazineError(_l("First approve or answer the team's changes to your text."))
    resubmission = submission.state == S.changes_requested
    _apply(submission, data)
    _move(submission, S.submitted, actor=author)
    submission.submitted_at = utcnow()
    db.session.flush()
    emails.notify_submitted(submission, resubmission=resubmission)
    return submission


# The thread --------------------------------------------------------------------------


def _clean_message(body: str | None) -> str | None:
    body = (body or "").strip()
    if len(body) > MESSAGE_MAX:
        raise MagazineError(
            _l("A message can have up to %(max)s characters.", max=LocalNumber(MESSAGE_MAX)),
            field="message",
        )
    return body or None


def post_message(submission: Submission, body: str, *, sender: User) -> SubmissionMessage:
    """Adds a message to the thread; a team message is emailed to the author."""
    if not submission.visible_to(sender):
        raise MagazineError(_l("You cannot write on this text."))
    body = _clean_message(body)
    if not body:
        raise MagazineError(_l("Write your message."), field="message")
    if submission.state == S.withdrawn:
        raise MagazineError(_l("This text was withdrawn by its author: it cannot change."))
    from_team = sender.is_coordinator and sender.id != submission.author_id
    message = SubmissionMessage(sender_id=sender.id, from_team=from_team, body=body)
    submission.messages.append(message)
    db.session.flush()
    if from_team:
        emails.notify_team_message(submission, message)
    else:
        emails.notify_team("author_replied", submission)
    return message


# Editorial moves (coordinators) ---------------------------------------------------------


def _team_move(
    submission: Submission, to: SubmissionState, *, actor: User, message: str | None
) -> None:
    body = _clean_message(message)
    _move(submission, to, actor=actor, note=body)
    if body:
        submission.messages.append(SubmissionMessage(sender_id=actor.id, from_team=True, body=body))
    db.session.flush()
    emails.notify_decision(submission, body)


def start_review(submission: Submission, *, actor: User, message: str | None = None) -> None:
    """A coordinator starts reading: the author is told their text is in good hands."""
    _team_move(submission, S.in_review, actor=actor, message=message)


def request_changes(submission: Submission, *, actor: User, message: str | None) -> None:
    """Sends the text back to its author; a message saying what to change is required."""
    if not (message or "").strip():
        raise MagazineError(_l("Tell the author what to change."), field="message")
    _team_move(submission, S.changes_requested, actor=actor, message=message)


def accept(submission: Submission, *, actor: User, message: str | None = None) -> None:
    _team_move(submission, S.accepted, actor=actor, message=message)


def decline(submission: Submission, *, actor: User, message: str | None = None) -> None:
    _team_move(submission, S.declined, actor=actor, message=message)


def publish(
    submission: Submission,
    *,
    actor: User,
    message: str | None = None,
    edition: Edition | None = None,
) -> None:
    """Puts an accepted text on the website (alone, or as part of ``edition``).

    Refused while a text edit waits for the author, or without the web consent.
    """
    if submission.pending_revision is not None:
        raise MagazineError(_l("The author has not approved the edited text yet."))
    if submission.state == S.accepted and not submission.consent_granted(ConsentPurpose.web):
        raise MagazineError(_l("The author has not agreed to publication on the website."))
    if edition is not None:
        submission.edition = edition
    submission.published_at = utcnow()
    _team_move(submission, S.published, actor=actor, message=message)


def _send_message(submission, *, actor, message, edition=None):
    post_message(submission, message, sender=actor)


def _moving(move):
    """A move of the review page that places nothing in an edition."""
    return lambda submission, *, actor, message, edition=None: move(
        submission, actor=actor, message=message
    )


#: What each decision of the review page does ("message", or the state the text moves to).
DECISIONS = {
    "message": _send_message,
    S.in_review.value: _moving(start_review),
    S.changes_requested.value: _moving(request_changes),
    S.accepted.value: _moving(accept),
    S.declined.value: _moving(decline),
    S.published.value: publish,
}


def decide(
    submission: Submission,
    decision: str,
    *,
    actor: User,
    message: str | None = None,
    edition: Edition | None = None,
) -> None:
    """One decision of the review page: a message to the author, or a move (start review,
    ask for changes, accept, decline, publish), each telling the author by email."""
    if decision not in DECISIONS:
        raise MagazineError(_l("Choose what to do with this text."), field="action")
    DECISIONS[decision](submission, actor=actor, message=message, edition=edition)


def preview_decision(
    submission: Submission,
    decision: str,
    *,
    actor: User,
    message: str | None = None,
    edition: Edition | None = None,
) -> tuple[str, str]:
    """The email the author would receive for ``decision``, as (subject, text), exactly as
    ``decide`` would write it, and nothing kept: the decision runs in a savepoint that is
    rolled back. Raises MagazineError as ``decide`` would (the coordinator fixes it first)."""
    before = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    savepoint = db.session.begin_nested()
    try:
        decide(submission, decision, actor=actor, message=message, edition=edition)
        db.session.flush()
        email = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.id > before, OutboxMessage.recipient == submission.author.email)
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
        preview = (email.subject, email.text_body) if email is not None else ("", "")
    finally:
        savepoint.rollback()
    db.session.refresh(submission)
    return preview


def assign_edition(submission: Submission, edition: Edition | None, *, actor: User) -> None:
    if not actor.is_coordinator:
        raise MagazineError(_l("Only the team can do this."))
    if submission.state not in (S.accepted, S.published):
        raise MagazineError(_l("Only an accepted text can be placed in an edition."))
    submission.edition = edition
    db.session.flush()


def publish_edition(edition: Edition, *, actor: User) -> list[Submission]:
    """Publishes the edition and every accepted text placed in it that is ready."""
    published = []
    for submission in list(edition.submissions):
        if submission.state == S.accepted and submission.pending_revision is None:
            publish(submission, actor=actor, edition=edition)
            published.append(submission)
    if edition.published_at is None:
        edition.published_at = utcnow()
    db.session.flush()
    return published


def coordinator_edit_text(submission: Submission, new_text: str, *, actor: User) -> TextRevision:
    """A coordinator's edit (e.g. removing names): it waits for the author's approval."""
    if not actor.is_coordinator:
        raise MagazineError(_l("Only the team can do this."))
    if submission.state not in TEAM_EDITABLE:
        raise MagazineError(_l("The text cannot be edited in this state."))
    if submission.pending_revision is not None:
        raise MagazineError(_l("An edit already waits for the author's answer."), field="text")
    if len(new_text) > TEXT_MAX:
        raise MagazineError(
            _l("The text can have up to %(max)s characters.", max=LocalNumber(TEXT_MAX)),
            field="text",
        )
    if not new_text.strip():
        raise MagazineError(_l("The text cannot be empty."), field="text")
    if new_text == submission.text:
        raise MagazineError(_l("The text is unchanged."), field="text")
    revision = TextRevision(editor_id=actor.id, old_text=submission.text, new_text=new_text)
    submission.revisions.append(revision)
    db.session.flush()
    emails.notify_text_edited(submission)
    return revision


def approve_revision(revision: TextRevision, *, author: User) -> None:
    submission = revision.submission
    _author_only(submission, author)
    if revision.state != RevisionState.pending:
        raise MagazineError(_l("This edit was already answered."))
    submission.text = revision.new_text
    revision.state = RevisionState.approved
    revision.resolved_at = utcnow()
    submission.messages.append(
        SubmissionMessage(
            sender_id=author.id,
            from_team=False,
            body=_in(author.language, _l("I approve the edited text.")),
        )
    )
    db.session.flush()
    emails.notify_revision_approved(submission)
    emails.notify_team("author_approved", submission)


def answer_revision(revision: TextRevision, body: str, *, author: User) -> None:
    """The author does not approve: the text stays as it was and the answer goes to the team."""
    submission = revision.submission
    _author_only(submission, author)
    if revision.state != RevisionState.pending:
        raise MagazineError(_l("This edit was already answered."))
    body = _clean_message(body)
    if not body:
        raise MagazineError(_l("Write your answer to the team."), field="message")
    revision.state = RevisionState.answered
    revision.resolved_at = utcnow()
    submission.messages.append(SubmissionMessage(sender_id=author.id, from_team=False, body=body))
    db.session.flush()
    emails.notify_team("author_replied", submission)


def side_by_side(old: str, new: str) -> list[tuple[str, str, str]]:
    """Rows (kind, old line, new line), kind in equal/changed/removed/added: a readable diff."""
    a, b = old.splitlines(), new.splitlines()
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [("equal", line, line) for line in a[i1:i2]]
        elif tag == "delete":
            rows += [("removed", line, "") for line in a[i1:i2]]
        elif tag == "insert":
            rows += [("added", "", line) for line in b[j1:j2]]
        else:
            left, right = a[i1:i2], b[j1:j2]
            for k in range(max(len(left), len(right))):
                rows.append(
                    (
                        "changed",
                        left[k] if k < len(left) else "",
                        right[k] if k < len(right) else "",
                    )
                )
    return rows


# The author's control ----------------------------------------------------------------


def _author_only(submission: Submission, author: User) -> None:
    if submission.author_id != author.id:
        raise MagazineError(_l("Only the author can do this."))


def withdraw(submission: Submission, *, author: User, note: str | None = None) -> None:
    """The author withdraws, at any time. A published text leaves the site at once.

    The team is told when the text had already reached them.
    """
    _author_only(submission, author)
    was = submission.state
    _move(submission, S.withdrawn, actor=author, note=note)
    submission.withdrawn_at = utcnow()
    db.session.flush()
    if was != S.draft:
        emails.notify_team_withdrawn(submission, was_published=was == S.published)
    emails.notify_withdrawn(submission, was_published=was == S.published)


def change_consent(
    submission: Submission,
    purpose: ConsentPurpose,
    granted: bool,
    *,
    author: User,
    ui_language: str | None = None,
) -> SubmissionConsent | None:
    """Records a changed consent and acknowledges it by email. None when nothing changed.

    Taking back the website consent of a sent text withdraws it.
    """
    _author_only(submission, author)
    if submission.state == S.withdrawn:
        raise MagazineError(_l("This text was withdrawn by its author: it cannot change."))
    wanted = {p: submission.consent_granted(p) for p in ConsentPurpose}
    wanted[purpose] = granted
    added = _record_consents(submission, wanted, ui_language or author.language)
    if not added:
        return None
    db.session.flush()
    emails.notify_consent_changed(submission, added[0])
    if purpose == ConsentPurpose.web and not granted and submission.state != S.draft:
        withdraw(submission, author=author)
    return added[0]


# Themes and editions -------------------------------------------------------------------


def add_theme(name: str) -> Theme:
    name = name.strip()
    if not name:
        raise MagazineError(_l("Give the theme a name."), field="name")
    if db.session.scalar(select(Theme).where(Theme.name == name)):
        raise MagazineError(_l("This theme already exists."), field="name")
    theme = Theme(name=name)
    db.session.add(theme)
    db.session.flush()
    return theme


def delete_theme(theme: Theme) -> None:
    db.session.delete(theme)
    db.session.flush()


def save_edition(
    *, number: int, label: str, editorial: str, edition: Edition | None = None
) -> Edition:
    if number < 1 or number > 100_000:
        raise MagazineError(_l("Give a number between 1 and 100000."), field="number")
    other = db.session.scalar(select(Edition).where(Edition.number == number))
    if other is not None and other is not edition:
        raise MagazineError(_l("An edition already has this number."), field="number")
    if edition is None:
        edition = Edition(number=number, label=label, editorial=editorial)
        db.session.add(edition)
    else:
        edition.number, edition.label, edition.editorial = number, label, editorial
    db.session.flush()
    return edition


# Queries -------------------------------------------------------------------------------


def _published(query, theme: bool = False, form: bool = False, edition: bool = False):
    """``query`` kept to the published texts, newest first, with the filters asked for as
    parameters (``theme_id``, ``form``, ``edition_id``)."""
    query = query.where(Submission.state == S.published)
    if theme:
        query = query.where(Submission.themes.any(Theme.id == bindparam("theme_id")))
    if form:
        query = query.where(Submission.form == bindparam("form"))
    if edition:
        query = query.where(Submission.edition_id == bindparam("edition_id"))
    return query.order_by(Submission.published_at.desc(), Submission.id.desc())


def published_query():
    """Published texts, newest first, with their author (every byline may read it).

    The authors come in a second query (selectin), not joined: a join is made before the
    sort, so the database would join every published text to its author to keep three."""
    return _published(select(Submission).options(selectinload(Submission.author)))


def signature_column():
    """``Submission.byline_text`` in SQL, for lists of plain rows: the author's name, the
    pen name, or NULL (anonymous: no name anywhere). The name is read only for the texts
    signed with it, by a subquery the database runs for the rows it returns, not a join
    made before the sort."""
    author_name = select(User.display_name).where(User.id == Submission.author_id).scalar_subquery()
    return case(
        (Submission.byline == Byline.full_name, author_name),
        (Submission.byline == Byline.pen_name, Submission.pen_name),
        else_=None,
    )


#: What a card of the magazine shows (communaute/magazine/cards.py): plain columns.
CARD_COLUMNS = (
    Submission.id,
    Submission.title,
    Submission.language,
    Submission.form,
    Submission.published_at,
    Submission.edition_id,
    signature_column().label("signature"),
)


@cache
def _published_cards_statement(theme: bool, form: bool, edition: bool):
    """``published_cards_query``'s statement for one shape of filters, built once (building
    it costs more CPU than running it)."""
    return _published(select(*CARD_COLUMNS), theme, form, edition)


def published_cards_query(
    theme_id: int | None = None, form: str | None = None, edition_id: int | None = None
):
    """``published_query`` as card rows (CARD_COLUMNS): the statement and its parameters,
    for ``paginate_rows``."""
    params: dict = {}
    if theme_id:
        params["theme_id"] = theme_id
    if form:
        params["form"] = Form(form)
    if edition_id:
        params["edition_id"] = edition_id
    statement = _published_cards_statement(
        "theme_id" in params, "form" in params, "edition_id" in params
    )
    return statement, params


@cache
def _latest_cards_statement():
    return _published_cards_statement(False, False, False).limit(bindparam("how_many"))


def latest_cards(how_many: int = 3) -> list:
    """The newest published texts as card rows (CARD_COLUMNS), for the home."""
    return read_rows(_latest_cards_statement(), {"how_many": how_many})


def theme_names(submission_ids: Iterable[int]) -> dict[int, list[str]]:
    """Text id -> the names of its themes, alphabetical, for every card of a page at once."""
    ids = list(submission_ids)
    names: dict[int, list[str]] = {}
    if ids:
        for submission_id, name in read_rows(_theme_names_statement(), {"ids": ids}):
            names.setdefault(submission_id, []).append(name)
    return names


@cache
def _theme_names_statement():
    return (
        select(submission_themes.c.submission_id, Theme.name)
        .join(Theme, Theme.id == submission_themes.c.theme_id)
        .where(submission_themes.c.submission_id.in_(bindparam("ids", expanding=True)))
        .order_by(submission_themes.c.submission_id, Theme.name, Theme.id)
    )


def submissions_of(user: User) -> list[Submission]:
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.author_id == user.id)
            .order_by(Submission.created_at.desc(), Submission.id.desc())
        )
    )


def state_counts() -> dict[SubmissionState, int]:
    """How many texts are in each state the team sees (drafts are the author's alone):
    one grouped COUNT, every state present (0 when empty), in the order of the states."""
    found = dict(
        db.session.execute(
            select(Submission.state, func.count())
            .where(Submission.state != S.draft)
            .group_by(Submission.state)
        ).all()
    )
    return {s: found.get(s, 0) for s in SubmissionState if s != S.draft}


#: Texts per page of the editorial queue.
QUEUE_PAGE = 50


def queue_query(state: SubmissionState):
    """The texts in ``state``, oldest in it first, with their text edits (for the flags);
    paged by the review queue."""
    return (
        select(Submission)
        .where(Submission.state == state)
        .order_by(Submission.state_changed_at, Submission.id)
        .options(selectinload(Submission.revisions))
    )


# Personal data -----------------------------------------------------------------------------


def _iso(value):
    return value.isoformat() if value else None


def export_submissions(user) -> list[dict]:
    """Every testimony of ``user`` with its consents, thread, text edits and history."""
    return [
        {
            "id": s.id,
            "title": s.title,
            "text": s.text,
            "form": s.form.value,
            "perspective": s.perspective.value,
            "language": s.language,
            "byline": s.byline.value,
            "pen_name": s.pen_name,
            "third_party": s.third_party.value,
            "themes": [t.name for t in s.themes],
            "state": s.state.value,
            "edition": s.edition.label if s.edition else None,
            "created_at": _iso(s.created_at),
            "submitted_at": _iso(s.submitted_at),
            "published_at": _iso(s.published_at),
            "withdrawn_at": _iso(s.withdrawn_at),
            "consents": [
                {
                    "purpose": c.purpose.value,
                    "granted": c.granted,
                    "text": c.text,
                    "version": c.version,
                    "recorded_at": _iso(c.recorded_at),
                }
                for c in s.consents
            ],
            "messages": [
                {
                    "from": "team" if m.from_team else "author",
                    "body": m.body,
                    "created_at": _iso(m.created_at),
                }
                for m in s.messages
            ],
            "text_edits": [
                {
                    "old_text": r.old_text,
                    "new_text": r.new_text,
                    "state": r.state.value,
                    "created_at": _iso(r.created_at),
                    "resolved_at": _iso(r.resolved_at),
                }
                for r in s.revisions
            ],
            "history": [
                {
                    "from": c.from_state.value if c.from_state else None,
                    "to": c.to_state.value,
                    "at": _iso(c.at),
                    "note": c.note,
                }
                for c in s.changes
            ],
        }
        for s in submissions_of(user)
    ]


def erase_submissions(user) -> None:
    """Withdraws every testimony (published ones leave the site, the team is told) and
    removes them with their text, consents, thread and edits."""
    from communaute.magazine import emails
    from communaute.magazine.models import (
        StateChange,
        SubmissionMessage,
        SubmissionState,
        TextRevision,
    )

    for submission in submissions_of(user):
        if submission.state not in (SubmissionState.draft, SubmissionState.withdrawn):
            emails.notify_team_withdrawn(
                submission, was_published=submission.state == SubmissionState.published
            )
        db.session.delete(submission)
    db.session.flush()
    # A coordinator leaving: their messages, moves and edits on others' texts stay, unsigned
    # (done here, not only by ON DELETE SET NULL, which SQLite does not enforce by default).
    for model, column in (
        (SubmissionMessage, SubmissionMessage.sender_id),
        (StateChange, StateChange.by_id),
        (TextRevision, TextRevision.editor_id),
    ):
        db.session.execute(
            update(model)
            .where(column == user.id)
            .values({column.key: None})
            .execution_options(synchronize_session=False)
        )
