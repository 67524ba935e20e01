from flask import Blueprint
from sqlalchemy import select

from communaute.extensions import db, login_manager
from communaute.i18n import lazy_gettext as _l

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Log in to see this page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_token: str):
    from communaute.auth.models import User

    return db.session.scalar(select(User).where(User.session_token == session_token))


from communaute.auth import hooks, views  # noqa: E402, F401
