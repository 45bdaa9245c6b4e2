"""The web server: Streamlit's app (app.py) behind a gate, and the sign-in page.

Streamlit cannot set an HttpOnly cookie from a script, so signing in and out are two small
routes of the Starlette server Streamlit runs on (`st.App`). The gate lets nothing that
carries data through (the app's websocket, uploads, downloads) without a live session,
and, while no user exists, serves only this computer. `./run.sh` starts it.
"""

import html
from urllib.parse import parse_qs, urlencode

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Route

from kpi import access, i18n, texts

COOKIE = "kpi_session"
OPEN_PATHS = ("/api/signin", "/api/signout", "/_stcore/health", "/_stcore/host-config",
              "/static/", "/favicon")


def _page(message: str = "", login: str = "", back: str = "/") -> HTMLResponse:
    notice = f'<p class="error">{html.escape(message)}</p>' if message else ""
    return HTMLResponse(f"""<!doctype html><html lang="{i18n.language()}"><head><meta charset="utf-8">
<title>{html.escape(texts.APP_TITLE)}</title><style>
body{{font-family:sans-serif;background:#f6f6f4;display:flex;justify-content:center;padding-top:12vh}}
form{{background:#fff;padding:2em 2.5em;border-radius:8px;box-shadow:0 1px 4px #0002;min-width:18em}}
label{{display:block;margin:.8em 0 .3em}} input{{width:100%;padding:.5em;font-size:1em;box-sizing:border-box}}
button{{margin-top:1.2em;padding:.6em 1.4em;background:#1f5fa8;color:#fff;border:0;border-radius:5px;font-size:1em}}
.error{{color:#c62828}}</style></head><body><form method="post" action="/api/signin"><input type="hidden" name="next" value="{html.escape(back)}">
<h2>{html.escape(texts.APP_TITLE)}</h2><h3>{html.escape(texts.SIGN_IN_TITLE)}</h3>{notice}
<label for="login">{html.escape(texts.SIGN_IN_LOGIN)}</label><input id="login" name="login" autocomplete="username" value="{html.escape(login)}" required>
<label for="password">{html.escape(texts.SIGN_IN_PASSWORD)}</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">{html.escape(texts.SIGN_IN_BUTTON)}</button></form></body></html>""",
                        headers={"Cache-Control": "no-store"})


async def sign_in(request):
    # the browser's language: nobody is signed in yet to have chosen one
    i18n.set_language(i18n.from_browser(request.headers.get("accept-language")))
    if request.method == "GET":
        return _page(back=_local(request.query_params.get("next", "/")))
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    login, password = form.get("login", [""])[0], form.get("password", [""])[0]
    back = _local(form.get("next", ["/"])[0])
    try:
        token = await run_in_threadpool(access.sign_in, None, login, password)
    except access.Forbidden as e:
        return _page(str(e), login, back)
    response = RedirectResponse(back, status_code=303)  # the page the link pointed to
    # Lax, not Strict: a link to a manager's page sent by mail must open signed in
    response.set_cookie(COOKIE, token, max_age=access.SESSION_HOURS * 3600, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")
    return response


def _local(path: str) -> str:
    """Where to go after signing in: a path of this app only, never another site."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/"


async def sign_out(request):
    await run_in_threadpool(access.sign_out, None, request.cookies.get(COOKIE))
    response = RedirectResponse("/api/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def _cookie(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, token = part.strip().partition("=")
                if key == COOKIE:
                    return token
    return None


class Gate:
    """Nothing past this without a live session (or, with no users, from another machine)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or scope["path"].startswith(OPEN_PATHS):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])  # a refusal reads in the browser's language
        i18n.set_language(i18n.from_browser(headers.get(b"accept-language", b"").decode("latin-1")))
        if not await run_in_threadpool(access.any_users):
            allowed = access.is_local((scope.get("client") or ("0.0.0.0",))[0])
            refusal = PlainTextResponse(texts.SINGLE_USER_REMOTE, status_code=403)
        else:
            allowed = await run_in_threadpool(access.session_scope, None, _cookie(scope)) is not None
            page = scope["type"] == "http" and not scope["path"].startswith(("/_stcore", "/media"))
            wanted = scope["path"] + ("?" + scope["query_string"].decode("latin-1")
                                      if scope.get("query_string") else "")
            refusal = (RedirectResponse("/api/signin?" + urlencode({"next": wanted}), status_code=303)
                       if page else PlainTextResponse(texts.SIGN_IN_NEEDED, status_code=401))
        if allowed:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 4401})
        return await refusal(scope, receive, send)


app = st.App("app.py", routes=[Route("/api/signin", sign_in, methods=["GET", "POST"]),
                               Route("/api/signout", sign_out)],
             middleware=[Middleware(Gate)])
