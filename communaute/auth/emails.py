"""Account emails: who gets which template, in which language."""

from communaute.email import public_url, queue_email


def notify_confirm_email(user, token: str) -> None:
    """Queues the link that confirms a new account's address (valid 48 h)."""
    queue_email(
        kind="auth.confirm",
        to=user.email,
        user_id=user.id,
        language=user.language,
        template="auth/emails/confirm",
        user=user,
        link=public_url("auth.confirm", token=token),
    )


def notify_password_reset(user, token: str) -> None:
    """Queues a one-time reset link (valid 1 h)."""
    queue_email(
        kind="auth.reset",
        to=user.email,
        user_id=user.id,
        language=user.language,
        template="auth/emails/reset",
        user=user,
        link=public_url("auth.reset_password", token=token),
    )


def notify_password_changed(user) -> None:
    queue_email(
        kind="auth.password_changed",
        to=user.email,
        user_id=user.id,
        language=user.language,
        template="auth/emails/password_changed",
        user=user,
        reset_link=public_url("auth.reset_request"),
    )


def notify_confirm_new_email(user, token: str) -> None:
    """Sent to the new address: the change happens only when it is confirmed there."""
    queue_email(
        kind="auth.confirm_new_email",
        to=user.pending_email,
        user_id=user.id,
        language=user.language,
        template="auth/emails/confirm_new_email",
        user=user,
        link=public_url("auth.confirm_email_change", token=token),
    )


def notify_email_changed(user, old_address: str) -> None:
    """Tells the old address, so a hijacked account does not go unnoticed."""
    queue_email(
        kind="auth.email_changed",
        to=old_address,
        user_id=user.id,
        language=user.language,
        template="auth/emails/email_changed",
        user=user,
        old_address=old_address,
    )


def notify_account_deleted(address: str, language: str) -> None:
    """The goodbye: the account is gone, so once sent the outbox forgets it too."""
    queue_email(
        kind="auth.deleted",
        to=address,
        user_id=None,
        language=language,
        template="auth/emails/deleted",
        forget_when_sent=True,
    )


def notify_second_factor_enabled(user) -> None:
    """Tells the account that a second factor was set up, in case it was not its owner."""
    queue_email(
        kind="auth.second_factor_enabled",
        to=user.email,
        user_id=user.id,
        language=user.language,
        template="auth/emails/second_factor_enabled",
        user=user,
    )


def notify_second_factor_reset(user, actor) -> None:
    """Tells the account who reset its second factor, and that it enrols again at login."""
    queue_email(
        kind="auth.second_factor_reset",
        to=user.email,
        user_id=user.id,
        language=user.language,
        template="auth/emails/second_factor_reset",
        user=user,
        actor_name=actor.display_name,
        login_link=public_url("auth.login"),
    )
