"""communaute: the web platform of Expériences."""

from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, has_request_context, request, session
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix

from communaute import email as outbox
from communaute.cache import init_page_cache
from communaute.config import load_config
from communaute.content import (
    format_day,
    localized,
    localized_item,
    localized_text,
    marked_language,
    render_markdown,
)
from communaute.errors import register_error_handlers
from communaute.extensions import babel, csrf, limiter, login_manager, mail, migrate
from communaute.extensions import db as _db  # not "db": that name is the communaute.db module
from communaute.i18n import (
    LANGUAGES,
    current_language,
    format_count,
    format_local,
    format_span,
    locale_selector,
    template_gettext,
    template_ngettext,
    template_npgettext,
    template_pgettext,
)
from communaute.routing import register_converters
from communaute.web import page_back, register_form_pages

PROJECT_ROOT = Path(__file__).resolve().parent.parent

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class Communaute(Flask):
    """Flask, with every absolute link built from COMMUNAUTE_PUBLIC_URL.

    ``url_for(..., _external=True)`` (and any url_for outside a request) would take the host
    from the request's Host header, which anyone can forge, and a page cache would then
    serve the forged links to everyone. Here it is ``communaute.email.public_url``.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._paths: dict = {}

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values,
    ) -> str:
        if has_request_context():
            if endpoint[:1] == ".":  # relative to the current blueprint, as Flask does
                endpoint = f"{request.blueprint}{endpoint}" if request.blueprint else endpoint[1:]
            external = _external if _external is not None else _scheme is not None
        else:
            external = _external is not False
        if not external:
            return self._path_for(endpoint, _anchor, _method, values)
        return outbox.public_url(endpoint, _anchor=_anchor, _method=_method, **values)

    #: Paths kept per process (``_path_for``); a visitor's search words reach some of them
    #: (the pager's links), so the memo is emptied when it holds this many.
    PATHS_KEPT = 4096

    def _path_for(self, endpoint: str, anchor, method, values: dict) -> str:
        """A path (no host) as Flask builds it, memoized: it depends only on the endpoint,
        the values and the script root (no ``url_defaults`` here), and a page builds dozens
        (the layout's menu, a link per card, the pager), each about 35 microseconds in
        Werkzeug's router. The type is part of the key: ``page=1`` and ``page=True`` differ."""
        try:
            key = (
                endpoint,
                anchor,
                method,
                request.script_root if has_request_context() else None,
                *((k, v.__class__, v) for k, v in sorted(values.items())),
            )
            path = self._paths.get(key)
        except TypeError:  # a value that cannot be a key (a list of query values)
            return super().url_for(endpoint, _anchor=anchor, _method=method, **values)
        if path is None:
            path = super().url_for(endpoint, _anchor=anchor, _method=method, **values)
            if len(self._paths) >= self.PATHS_KEPT:
                self._paths.clear()
            self._paths[key] = path
        return path


def create_app(config: dict | None = None) -> Flask:
    """The application factory. ``config`` overrides the environment (tests, scripts)."""
    app = Communaute(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str((config or {}).get("INSTANCE_PATH") or PROJECT_ROOT / "instance"),
        instance_relative_config=True,
    )
    app.config.update(load_config(app.instance_path, config))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(
        str(Path(app.root_path) / d)
        for d in (
            "translations",
            "auth/translations",
            "trainings/translations",
            "webinars/translations",
            "magazine/translations",
            "security/translations",
            "coordination/translations",
            "requests/translations",
            "resources/translations",
            "news/translations",
            "publications/translations",
            "portraits/translations",
            "pages/translations",
        )
    )

    if app.config["PROXY_COUNT"] > 0:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    _db.init_app(app)
    migrate.init_app(app, _db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=locale_selector)
    login_manager.init_app(app)
    outbox.init_outbox(app)

    register_converters(app)  # before the blueprints: their rules use <id:...>
    from communaute import (
        auth,
        coordination,
        magazine,
        main,
        news,
        pages,
        portraits,
        publications,
        requests,
        resources,
        security,
        subscriptions,
        trainings,
        webinars,
    )

    del subscriptions  # imported for its model and its personal-data hooks

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp, url_prefix="/auth")
    app.register_blueprint(trainings.bp, url_prefix="/trainings")
    app.register_blueprint(webinars.bp, url_prefix="/webinars")
    app.register_blueprint(magazine.bp, url_prefix="/magazine")
    app.register_blueprint(security.bp, url_prefix="/security")
    app.register_blueprint(coordination.bp, url_prefix="/coordination")
    app.register_blueprint(coordination.certificates_bp, url_prefix="/certificates")
    app.register_blueprint(requests.bp, url_prefix="/requests")
    app.register_blueprint(resources.bp, url_prefix="/resources")
    app.register_blueprint(news.bp, url_prefix="/news")
    app.register_blueprint(publications.bp, url_prefix="/publications")
    app.register_blueprint(portraits.bp, url_prefix="/portraits")
    app.register_blueprint(pages.bp, url_prefix="/pages")
    register_form_pages(app)

    from communaute.cli import register_cli

    register_cli(app)
    register_error_handlers(app)
    _register_template_helpers(app)
    _register_security_headers(app)
    init_page_cache(app)
    return app


def _register_template_helpers(app: Flask) -> None:
    # In place of Flask-Babel's callables: the translations looked up once per locale, each
    # message in one call (communaute.i18n.template_gettext), newstyle as Flask-Babel's.
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(
        _=template_gettext,
        gettext=template_gettext,
        ngettext=template_ngettext,
        pgettext=template_pgettext,
        npgettext=template_npgettext,
    )
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.filters["count"] = format_count
    app.jinja_env.filters["span"] = format_span
    app.jinja_env.filters["paragraphs"] = outbox.text_to_html
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["format_day"] = format_day
    app.jinja_env.globals["localized"] = localized
    app.jinja_env.globals["page_back"] = page_back
    app.jinja_env.globals["localized_item"] = localized_item
    app.jinja_env.filters["localized_text"] = localized_text

    @app.template_global()
    def content_lang(item, page_language: str | None = None) -> Markup:
        """` lang="fr"` on what a coordinator or an author wrote in another language than
        the page's, so a screen reader reads a French title with a French voice.
        ``page_language``: the page's, when the template has it (``lang``) at hand."""
        language = marked_language(getattr(item, "language", item), page_language)
        return Markup(' lang="%s"') % language if language else Markup("")

    @app.template_global()
    def offered_in(item) -> Markup:
        """The short note under French content on an English page (and the reverse)."""
        language = getattr(item, "language", item)
        if language not in LANGUAGES or language == current_language():
            return Markup("")
        note = (
            _("Content offered in French") if language == "fr" else _("Content offered in English")
        )
        return Markup('<p class="content-note">%s</p>') % note

    @app.context_processor
    def inject():
        lang = current_language()
        other = "en" if lang == "fr" else "fr"
        args = request.args.to_dict() if request else {}
        args["lang"] = other
        return {
            "lang": lang,
            "other_lang": other,
            "other_lang_url": request.path + "?" + urlencode(args) if request else "",
            "languages": LANGUAGES,
        }


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["COMMUNAUTE_PUBLIC_URL"].startswith("https://"):
            # A year, on this host and below it: browsers then never try plain HTTP first.
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if current_user and current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "private, no-store")
        response.vary.add("Cookie")
        return response

    @app.before_request
    def keep_language():
        # Touching the session here makes ?lang= stick even on pages that render nothing else.
        if request.args.get("lang") in LANGUAGES:
            session["lang"] = request.args["lang"]
