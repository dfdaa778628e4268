"""The login page, login and logout (Flask routes beside the Dash app).

``GET /login`` shows the form (German, ``?lang=en`` English); ``POST /login``
checks name and password once (Argon2id), starts a session and sets the
session cookie: ``HttpOnly``, ``SameSite=Lax``, ``Secure`` when the request
came over TLS (or ``PARTNERNETZ_SECURE_COOKIE=1`` behind a TLS proxy). The
session ends after ``idle_minutes`` without a request, on logout, on a
password change and when the account is disabled.

Failed logins are throttled per address and per user
(:class:`dashboard.access.LoginThrottle`): after 5 within a minute, every
further attempt gets ``429`` and a message saying when to try again. Every
login, failed login, refused (throttled) login and logout is audited.

Every text comes from the message catalogue; every value shown is escaped.
"""

from __future__ import annotations

import os
from html import escape
from urllib.parse import quote

import flask

from dashboard.access import SESSION_COOKIE, access_config, audit_event, client_address
from dashboard.i18n import normalise_lang, t

__all__ = ["install_login", "login_page", "safe_next", "LOGIN_PATH", "LOGOUT_PATH"]

LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
_MAX_FIELD = 200


def safe_next(target: str | None) -> str:
    """A local path to go to after login (never another site).

    >>> safe_next("/analysen?lang=en"), safe_next("//evil.example/"), safe_next("https://evil.example")
    ('/analysen?lang=en', '/', '/')
    """
    target = (target or "/").strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target or any(ord(c) < 32 for c in target):
        return "/"
    return target[:_MAX_FIELD]


def _lang() -> str:
    return normalise_lang(flask.request.values.get("lang") or "de")


def login_page(lang: str, *, message: str = "", kind: str = "error", user: str = "", next_path: str = "/",
               status: int = 200) -> flask.Response:
    """The login form as a complete HTML page."""
    other = "en" if lang == "de" else "de"
    notice = (f'<p class="login-message login-{escape(kind)}" role="alert" id="login-message">{escape(message)}</p>'
              if message else "")
    body = f"""<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(t("login.title", lang))} – Partnernetz</title>
<link rel="stylesheet" href="/assets/login.css"></head>
<body class="login-body">
<main class="login-card">
<h1>{escape(t("app.title", lang))}</h1>
<p class="login-sub">{escape(t("app.subtitle", lang))}</p>
<h2>{escape(t("login.title", lang))}</h2>
{notice}
<form method="post" action="{LOGIN_PATH}" class="login-form" id="login-form">
<input type="hidden" name="next" value="{escape(next_path)}">
<input type="hidden" name="lang" value="{lang}">
<label for="login-user">{escape(t("login.user", lang))}</label>
<input id="login-user" name="user" autocomplete="username" required maxlength="64" value="{escape(user)}" autofocus>
<label for="login-password">{escape(t("login.password", lang))}</label>
<input id="login-password" name="password" type="password" autocomplete="current-password" required maxlength="{_MAX_FIELD}">
<button type="submit" id="login-submit">{escape(t("login.submit", lang))}</button>
</form>
<p class="login-lang"><a href="{LOGIN_PATH}?lang={other}&amp;next={escape(quote(next_path, safe='/'))}" id="login-lang">{"English" if other == "en" else "Deutsch"}</a></p>
</main>
</body></html>
"""
    return flask.Response(body, status=status, mimetype="text/html",
                          headers={"Cache-Control": "no-store"})


def _secure_cookie() -> bool:
    return flask.request.is_secure or os.environ.get("PARTNERNETZ_SECURE_COOKIE", "") == "1"


def install_login(server: flask.Flask) -> None:
    """Add ``/login`` and ``/logout`` to ``server``."""

    @server.route(LOGIN_PATH, methods=["GET", "POST"])
    def _login():
        config = access_config()
        lang = _lang()
        next_path = safe_next(flask.request.values.get("next"))
        if config.mode != "accounts":  # no login here: local admin, Basic or proxy
            return flask.redirect(next_path, code=303)
        if flask.request.method == "GET":
            expired = flask.request.cookies.get(SESSION_COOKIE) and flask.request.args.get("next")
            return login_page(lang, next_path=next_path,
                              message=t("login.expired", lang) if expired else "", kind="info")
        user = (flask.request.form.get("user") or "").strip()[:64]
        password = (flask.request.form.get("password") or "")[:_MAX_FIELD]
        address = client_address()
        if config.throttle.blocked(user, address):
            audit_event("login_throttled", what="login", user=user or "?")
            response = login_page(lang, message=t("login.throttled", lang, seconds=int(config.throttle.window)),
                                  user=user, next_path=next_path, status=429)
            response.headers["Retry-After"] = str(int(config.throttle.window))
            return response
        account = config.accounts.verify_password(user, password) if user and password else None
        if account is None:
            config.throttle.failed(user, address)
            audit_event("login_failed", what="login", user=user or "?")
            return login_page(lang, message=t("login.failed", lang), user=user, next_path=next_path, status=401)
        token = config.accounts.new_session(account.name, address)
        audit_event("login", what="login", user=account.name, role=account.role.key)
        response = flask.redirect(next_path if "lang=" in next_path else
                                  next_path + ("&" if "?" in next_path else "?") + f"lang={lang}", code=303)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Lax", secure=_secure_cookie(), path="/")
        return response

    @server.route(LOGOUT_PATH, methods=["POST"])
    def _logout():
        config = access_config()
        lang = _lang()
        token = flask.request.cookies.get(SESSION_COOKIE)
        if token and config.accounts is not None:
            account = config.accounts.account_for_session(token, idle_seconds=config.idle_minutes * 60)
            config.accounts.end_session(token)
            if account is not None:
                audit_event("logout", what="logout", user=account.name)
        if config.mode != "accounts":
            return flask.redirect("/", code=303)
        response = login_page(lang, message=t("login.logged_out", lang), kind="info")
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax", secure=_secure_cookie())
        return response

