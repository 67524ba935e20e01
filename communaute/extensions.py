"""Flask extensions, created unbound and wired in create_app()."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from communaute.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def read_rows(statement, params: dict | None = None) -> list:
    """The rows of a ``select`` of plain columns (no entity), as ``db.session.execute(...)
    .all()`` gives them, through the session's connection: without the ORM's layer around
    the statement (about 0.2 ms of CPU each, on lists read on every visit). No autoflush:
    for reads of what is committed, as the public lists are."""
    return db.session.connection().execute(statement, params).all()
