"""What accounts add to the shared registries beyond the account row itself."""

from sqlalchemy import delete

from communaute.auth.models import RecoveryCode
from communaute.cache import page_topics
from communaute.extensions import db
from communaute.registry import register_personal_data


def _export_second_factor(user) -> dict:
    """Whether a second factor is set up, and how many recovery codes are left (never the
    key nor the codes: they are secrets, not information about the person)."""
    return {
        "enabled_at": user.totp_enabled_at.isoformat() if user.totp_enabled_at else None,
        "recovery_codes_left": sum(1 for code in user.recovery_codes if code.used_at is None),
    }


def _erase_second_factor(user) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.expire(user, ["recovery_codes"])


register_personal_data(
    "second_factor",
    export=_export_second_factor,
    erase=_erase_second_factor,
    tables=("recovery_codes",),
)


# Public pages show a member's name only as the byline of a testimony "under my name".
page_topics("users", lambda user: ("people",), columns=("display_name",), bulk=("people",))
page_topics("consent_records")
page_topics("recovery_codes")
