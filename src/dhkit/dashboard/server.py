"""``dhkit serve DIR``: the team server — the public views plus each role's own pages.

Stack: Starlette (a small, well-kept ASGI toolkit) on uvicorn, with ``httptools`` as its
HTTP parser (about twice the throughput of the pure-Python fallback on the load test). Everything public is
rendered once per (role, language, page) and kept in memory with placeholders for the
user name and CSRF token, so a page costs a dictionary lookup and two replacements; the
store is opened only to log in, to list or change accounts, for the import counts and for
the restricted answers, one operation at a time (DuckDB allows one writer per file).

Roles (see :data:`dhkit.dashboard.views.ROLE_PAGES`): ``analyst`` — precision tables (SE,
design effect), sampling-error appendix, weighting diagnostics, import and quarantine
counts; ``restricted`` — the restricted law-enforcement answers and nothing more;
``admin`` — accounts. Everyone sees the public views.

Security: Argon2id passwords (:mod:`dhkit.dashboard.accounts`); signed, expiring,
``HttpOnly``, ``SameSite=Strict`` session cookies (``Secure`` with ``--secure-cookies``);
a CSRF token on every form, checked on every POST; at most 5 failed logins per user name
and 20 per client address in 5 minutes; a strict content security policy (no inline
script or style, no third-party origin) and no-sniff/no-frame headers on every
response; every login (success or failure) and every restricted page view is a line in
the study's audit log. It binds to 127.0.0.1 unless told otherwise.

>>> # doctest: +SKIP
>>> app = create_app(load_study("dhkit-demo/study"))
"""

from __future__ import annotations

import ipaddress
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from dhkit.dashboard import accounts, views
from dhkit.dashboard.auth import RateLimiter, Session, Signer, same_token
from dhkit.dashboard.data import SiteData
from dhkit.dashboard.strings import s

#: team pages read from the store on every view (never cached)
LIVE = ("team/imports.html", "team/restricted.html", "team/users.html")
COOKIE = "dhkit_session"
FORM_COOKIE = "dhkit_form"
USER_MARK, CSRF_MARK = "__DHKIT_USER__", "__DHKIT_CSRF__"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff",
           "x-frame-options": "DENY", "referrer-policy": "no-referrer",
           "cross-origin-opener-policy": "same-origin"}
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".json": "application/json",
         ".csv": "text/csv; charset=utf-8",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class ServerState:
    study: object                       # dhkit.workspace.config.Study
    data: SiteData
    signer: Signer
    secure: bool = False
    limiter: RateLimiter = field(default_factory=RateLimiter)           # per user name
    ip_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(limit=20))
    files: dict[str, bytes] = field(default_factory=dict)
    pages: dict[tuple[str, str, str], str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)        # name -> role
    store_lock: threading.Lock = field(default_factory=threading.Lock)
    render_lock: threading.Lock = field(default_factory=threading.Lock)

    def reload_users(self) -> None:
        with self.store_lock:
            self.users = {u.name: u.role for u in accounts.list_users(self.study)}

    def session(self, request) -> Session | None:
        """The valid session of the request, or None (missing, forged, expired, revoked,
        or its user removed or moved to another role since it was issued)."""
        session = self.signer.read(request.cookies.get(COOKIE))
        if session is None or not session.user:
            return None
        return session if self.users.get(session.user) == session.role else None


def _chrome(role: str, pages: tuple[str, ...] | None = None) -> views.Chrome:
    return views.Chrome(USER_MARK if role else "", role, CSRF_MARK,
                        views.ROLE_PAGES.get(role, ()) if pages is None else pages)


def _fill(html: str, session: Session | None) -> str:
    if session is None:
        return html
    return html.replace(USER_MARK, session.user).replace(CSRF_MARK, session.csrf)


def _allowed(role: str, path: str) -> bool:
    if role == "analyst" and (path.startswith("team/precision/") or
                              path == "team/estimates-full.csv"):
        return True
    return path in views.ROLE_PAGES.get(role, ())


def create_app(study, data: SiteData | None = None, *, session_minutes: int = 480,
               secure_cookies: bool = False, signer: Signer | None = None):
    """The Starlette app serving ``study`` (``data`` from :func:`collect` if not given)."""
    from starlette.applications import Starlette
    from starlette.responses import RedirectResponse, Response
    from starlette.routing import Route

    from dhkit.dashboard.build import site_files
    from dhkit.dashboard.data import collect

    data = data or collect(study)
    state = ServerState(study, data, signer or Signer(ttl_seconds=session_minutes * 60),
                        secure=secure_cookies)
    state.files = {k: v for k, v in site_files(data).items() if not k.endswith(".html")}
    state.reload_users()

    def respond(body, status: int = 200, kind: str = ".html", extra: dict | None = None,
                private: bool = False) -> Response:
        headers = dict(HEADERS)
        headers["cache-control"] = "no-store" if private else "no-cache"
        headers.update(extra or {})
        return Response(body, status_code=status, media_type=TYPES.get(kind, "text/plain"),
                        headers=headers)

    def lang_of(request) -> str:
        lang = request.path_params.get("lang", "en")
        return lang if lang in data.languages else data.languages[0]

    def public(lang: str, path: str, session: Session | None) -> str | None:
        role = session.role if session else ""
        key = (role, lang, path)
        if key not in state.pages:
            with state.render_lock:
                html = views.public_page(data, lang, path, _chrome(role))
                if html is None:
                    return None
                state.pages[key] = html
        return _fill(state.pages[key], session)

    def refuse(lang: str, status: int, session: Session | None) -> Response:
        title = s("forbidden" if status in (401, 403) else "not_found", lang)
        chrome = _chrome(session.role) if session else None
        return respond(_fill(views.message_page(data, lang, title, title, chrome), session),
                       status, private=True)

    async def root(request):
        return RedirectResponse(f"/{data.languages[0]}/index.html", status_code=302,
                                headers=HEADERS)

    async def asset(request):
        path = request.url.path.lstrip("/")
        if path not in state.files:
            return respond(b"not found", 404, ".txt")
        return respond(state.files[path], kind="." + path.rsplit(".", 1)[-1])

    async def page(request):
        lang, path = lang_of(request), request.path_params["path"]
        session = state.session(request)
        if request.path_params.get("lang") not in data.languages:
            return refuse(lang, 404, session)
        if path.startswith("team/"):
            return await team(request, lang, path, session)
        html = public(lang, path, session)
        if html is None:
            return refuse(lang, 404, session)
        return respond(html, private=session is not None)

    async def team(request, lang: str, path: str, session: Session | None):
        from starlette.concurrency import run_in_threadpool

        if session is None:
            return refuse(lang, 401, None)
        if not _allowed(session.role, path):
            return refuse(lang, 403, session)
        if path == "team/estimates-full.csv":
            from dhkit.report.build import TIDY_ORDER

            table = data.public[[c for c in TIDY_ORDER if c in data.public.columns]]
            from dhkit.safetext import csv_frame

            return respond(csv_frame(table).to_csv(index=False), kind=".csv", private=True)
        chrome = _chrome(session.role)
        extra = {}
        if path == "team/imports.html":
            extra = await run_in_threadpool(_imports, state)
        elif path == "team/restricted.html":
            extra = await run_in_threadpool(_restricted, state, session, lang, path)
        elif path == "team/users.html":
            extra = await run_in_threadpool(_users, state)
        key = (session.role, lang, path)
        if key in state.pages:                       # a static team page, rendered before
            return respond(_fill(state.pages[key], session), private=True)
        html = views.team_page(data, lang, path, chrome, extra)
        if html is None:
            return refuse(lang, 404, session)
        if path not in LIVE:
            state.pages[key] = html
        return respond(_fill(html, session), private=True)

    def _form_csrf(token: str) -> str:
        form = state.signer.read(token)
        return form.csrf if form else ""

    async def login(request):
        lang = lang_of(request)
        if request.method == "GET":
            token = state.signer.form_token()
            response = respond(views.login_page(data, lang, _form_csrf(token)), private=True)
            _set_cookie(response, FORM_COOKIE, token, 600, state.secure, path=f"/{lang}/")
            return response
        form = await _form(request)
        pre = state.signer.read(request.cookies.get(FORM_COOKIE))
        if pre is None or not same_token(form.get("csrf"), pre.csrf):
            return refuse(lang, 403, None)
        name = form.get("username", "").strip().lower()
        client = request.client.host if request.client else "?"
        wait = max(state.ip_limiter.retry_after(client),
                   state.limiter.retry_after(name))
        if wait:
            return respond(views.login_page(data, lang, pre.csrf, s("too_many", lang, s=wait)),
                           429, private=True, extra={"retry-after": str(wait)})
        from starlette.concurrency import run_in_threadpool

        user = await run_in_threadpool(_verify, state, name, form.get("password", ""), client)
        if user is None:
            state.ip_limiter.fail(client)
            state.limiter.fail(name)
            return respond(views.login_page(data, lang, pre.csrf, s("bad_login", lang)), 401,
                           private=True)
        state.limiter.reset(name)
        state.users[user.name] = user.role
        response = RedirectResponse(f"/{lang}/index.html", status_code=303, headers=HEADERS)
        _set_cookie(response, COOKIE, state.signer.issue(user.name, user.role),
                    state.signer.ttl, state.secure)
        response.delete_cookie(FORM_COOKIE, path=f"/{lang}/")
        return response

    async def logout(request):
        session = state.session(request)
        form = await _form(request)
        if session is None or not same_token(form.get("csrf"), session.csrf):
            return refuse(data.languages[0], 403, session)
        state.signer.revoke(session)
        response = RedirectResponse(f"/{data.languages[0]}/index.html", status_code=303,
                                    headers=HEADERS)
        response.delete_cookie(COOKIE, path="/")
        return response

    async def users_post(request):
        from starlette.concurrency import run_in_threadpool

        lang = lang_of(request)
        session = state.session(request)
        form = await _form(request)
        if session is None:
            return refuse(lang, 401, None)
        if not same_token(form.get("csrf"), session.csrf):
            return refuse(lang, 403, session)
        if session.role != "admin":
            return refuse(lang, 403, session)
        message, error = await run_in_threadpool(_change_users, state, session, form, lang)
        extra = await run_in_threadpool(_users, state)
        extra.update(message=message, error=error)
        html = views.team_page(data, lang, "team/users.html", _chrome("admin"), extra)
        return respond(_fill(html, session), 400 if error else 200, private=True)

    routes = [Route("/", root), Route("/manifest.json", asset),
              Route("/assets/{file:path}", asset), Route("/data/{file:path}", asset),
              Route("/logout", logout, methods=["POST"]),
              Route("/{lang}/login.html", login, methods=["GET", "POST"]),
              Route("/{lang}/team/users.html", users_post, methods=["POST"]),
              Route("/{lang}/{path:path}", page)]
    app = Starlette(routes=routes)
    app.state.dhkit = state
    return app


def _set_cookie(response, name: str, value: str, max_age: int, secure: bool,
                path: str = "/") -> None:
    response.set_cookie(name, value, max_age=max_age, path=path, httponly=True,
                        samesite="strict", secure=secure)


async def _form(request) -> dict[str, str]:
    """A urlencoded form (the only kind the server's forms send), capped at 16 kB."""
    body = await request.body()
    if len(body) > 16384:
        return {}
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def _verify(state: ServerState, name: str, password: str, client: str):
    with state.store_lock:
        return accounts.verify(state.study, name, password, note=f"from={client} via=serve")


def _imports(state: ServerState) -> dict:
    with state.store_lock:
        return imports_context(state.study)


def imports_context(study) -> dict:
    """The imports page's counts, as ``dhkit status`` shows them
    (:func:`dhkit.workspace.status.study_status`: validation problems by code, and apart
    from them the warnings whose rows were kept), without the dashboard's accounts table."""
    from dhkit.workspace.status import study_status

    status = study_status(study)
    status.tables = [t for t in status.tables if t.table != accounts.TABLE]
    return {"status": status}


def _restricted(state: ServerState, session: Session, lang: str, path: str) -> dict:
    """The restricted answers (only those the questionnaire marks restricted), with the
    view written to the audit log before anything is shown."""
    from dhkit.legal.capacity import is_public, load_questionnaire, load_restricted
    from dhkit.legal.study import open_legal_study

    q = load_questionnaire()
    with state.store_lock:
        with state.study.open_store() as store:
            store.audit("dashboard restricted view",
                        note=f"user={session.user} page=/{lang}/{path}")
        legal = open_legal_study(state.study.dir)
        answers = load_restricted(legal, legal.key())
    rows = [{"id": a.question, "question": q.question(a.question).question[lang],
             "year": a.year or "", "value": a.value, "note": a.note}
            for a in answers if q.has(a.question) and not is_public(q.question(a.question))]
    return {"answers": rows}


def _users(state: ServerState) -> dict:
    with state.store_lock:
        users = accounts.list_users(state.study)
    return {"users": users, "roles": accounts.ROLES, "message": "", "error": False}


def _change_users(state: ServerState, session: Session, form: dict, lang: str
                  ) -> tuple[str, bool]:
    from dhkit.errors import DhkitError

    try:
        with state.store_lock:
            if form.get("action") == "add":
                accounts.add_user(state.study, form.get("name", "").strip().lower(),
                                  form.get("role", ""), form.get("password", ""),
                                  by=session.user)
            elif form.get("action") == "remove":
                if form.get("name") == session.user:
                    raise DhkitError("DSH-015", "you cannot remove your own account.")
                accounts.remove_user(state.study, form.get("name", ""), by=session.user)
            else:
                raise DhkitError("DSH-016", "unknown action.")
    except DhkitError as exc:
        return exc.message, True
    state.reload_users()
    return s("done", lang), False


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(study, host: str = "127.0.0.1", port: int = 8000, *, session_minutes: int = 480,
          secure_cookies: bool = False, region_dir=None, say=print) -> None:
    """Collect the study's published figures, then serve until interrupted."""
    import uvicorn

    t0 = time.perf_counter()
    from dhkit.dashboard.data import collect

    data = collect(study, region_dir=region_dir)
    app = create_app(study, data, session_minutes=session_minutes,
                     secure_cookies=secure_cookies)
    where = ("localhost only — other machines cannot reach it; pass --host to change that"
             if is_loopback(host) else
             f"ALL interfaces of {host} — other machines can reach it; put it behind HTTPS "
             "and use --secure-cookies")
    say(f"dhkit serve: {study.name} on http://{host}:{port}/ ({where}); ready in "
        f"{time.perf_counter() - t0:.1f}s. Press Ctrl+C to stop.")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
