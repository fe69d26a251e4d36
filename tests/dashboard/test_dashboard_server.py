"""The team server over real HTTP: each role sees exactly its pages, nothing restricted
reaches a public visitor or an analyst, and forged or expired cookies, missing CSRF tokens
and password guessing are refused; logins and restricted views are in the audit log."""

from __future__ import annotations

import re

import httpx
import pytest

from dash_helpers import PASSWORD, leaks, login

from dhkit.dashboard.auth import Signer
from dhkit.dashboard.server import COOKIE, CSP
from dhkit.dashboard.views import ROLE_PAGES

TEAM = [p for pages in ROLE_PAGES.values() for p in pages] + ["team/precision/any_tfcsea.html",
                                                             "team/estimates-full.csv"]
EXPECTED = {
    "analyst": {"team/precision.html", "team/appendix.html", "team/weights.html",
                "team/imports.html", "team/precision/any_tfcsea.html",
                "team/estimates-full.csv"},
    "restricted": {"team/restricted.html"},
    "admin": {"team/users.html"},
}


def client() -> httpx.Client:
    return httpx.Client(timeout=30)


@pytest.fixture(scope="module")
def sessions(server):
    out = {}
    for name, role in (("ana", "analyst"), ("rita", "restricted"), ("adam", "admin")):
        c = client()
        r = login(c, server.url, name)
        assert r.status_code == 303, r.text[:200]
        out[role] = c
    out["public"] = client()
    yield out
    for c in out.values():
        c.close()


def _status(c: httpx.Client, url: str) -> int:
    return c.get(url).status_code


@pytest.mark.parametrize("role", ["public", "analyst", "restricted", "admin"])
def test_each_role_sees_exactly_its_team_pages(server, sessions, role):
    c = sessions[role]
    allowed = {p for p in TEAM if _status(c, f"{server.url}/en/{p}") == 200}
    assert allowed == EXPECTED.get(role, set())


def test_a_visitor_is_asked_to_sign_in_and_a_wrong_role_is_forbidden(server, sessions):
    assert _status(sessions["public"], f"{server.url}/en/team/appendix.html") == 401
    assert _status(sessions["restricted"], f"{server.url}/en/team/appendix.html") == 403
    assert _status(sessions["analyst"], f"{server.url}/en/team/restricted.html") == 403


def test_every_role_sees_the_public_views_with_its_own_links(server, sessions):
    for role, c in sessions.items():
        html = c.get(f"{server.url}/es/indicators/any_tfcsea.html").text
        assert '<html lang="es">' in html
        assert ("team/appendix.html" in html) == (role == "analyst")
        assert ("team/restricted.html" in html) == (role == "restricted")
        assert ("team/users.html" in html) == (role == "admin")


def _crawl(c: httpx.Client, base: str, data, extra: list[str]) -> dict[str, str]:
    paths = [f"/{lang}/{p}" for lang in ("en", "es")
             for p in ["index.html", "compare.html", "legal.html", "recommendations.html",
                       "downloads.html", "about.html", "codebook.html", "login.html"]
             + [f"indicators/{i}.html" for i in data.indicators] + extra]
    paths += ["/assets/data.js", "/data/estimates.csv", "/data/estimates.json",
              "/data/contrasts.csv", "/data/contrasts.json", "/manifest.json",
              "/data/dashboard-en.xlsx"]
    out = {}
    for p in paths:
        r = c.get(base + p)
        out[p] = r.content.decode("utf-8", "replace")
    return out


def test_no_response_to_a_visitor_or_an_analyst_holds_restricted_content(server, sessions,
                                                                          planted, site_data):
    analyst_pages = sorted(EXPECTED["analyst"]) + [f"team/precision/{i}.html"
                                                   for i in site_data.indicators]
    for role, extra in (("public", TEAM), ("analyst", analyst_pages + ["team/restricted.html"])):
        responses = _crawl(sessions[role], server.url, site_data, extra)
        assert len(responses) > 100
        for path, body in responses.items():
            assert not leaks(body, planted.markers), f"{role} got restricted content at {path}"


def test_the_restricted_role_sees_the_restricted_answers_and_each_view_is_audited(
        server, sessions, planted):
    html = sessions["restricted"].get(f"{server.url}/en/team/restricted.html").text
    assert len(leaks(html, planted.markers)) == len(planted.markers)
    assert "RESTRICTED" in html
    with planted.study.open_store() as store:
        notes = [r[0] for r in store.con.execute(
            "SELECT note FROM audit_log WHERE command = 'dashboard restricted view'").fetchall()]
    assert "user=rita page=/en/team/restricted.html" in notes


def test_logins_are_audited_without_passwords(server, planted):
    with client() as c:
        login(c, server.url, "ana", "wrong password here")
    with planted.study.open_store() as store:
        rows = store.con.execute("SELECT note FROM audit_log WHERE command = 'dashboard login'"
                                 ).fetchall()
    notes = " ".join(r[0] for r in rows)
    assert "user=ana ok" in notes and "user=ana failed" in notes
    assert PASSWORD not in notes and "wrong password" not in notes


def test_a_forged_cookie_is_refused(server):
    forged = Signer(b"x" * 32).issue("ana", "analyst")
    with httpx.Client(cookies={COOKIE: forged}) as c:
        assert c.get(f"{server.url}/en/team/appendix.html").status_code == 401


def test_a_tampered_role_is_refused(server, sessions):
    token = sessions["analyst"].cookies[COOKIE]
    body, sig = token.split(".")
    import base64
    import json

    raw = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw["r"] = "restricted"
    new = base64.urlsafe_b64encode(json.dumps(raw).encode()).rstrip(b"=").decode()
    with httpx.Client(cookies={COOKIE: f"{new}.{sig}"}) as c:
        assert c.get(f"{server.url}/en/team/restricted.html").status_code == 401


def test_an_expired_cookie_is_refused(server):
    signer = server.state.signer
    expired = signer.issue("ana", "analyst", now=1_000_000.0)      # expired long ago
    with httpx.Client(cookies={COOKIE: expired}) as c:
        assert c.get(f"{server.url}/en/team/appendix.html").status_code == 401


def test_session_cookie_is_httponly_samesite_and_expires(server):
    with client() as c:
        r = login(c, server.url, "ana")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=" in cookie


def test_forms_without_the_csrf_token_are_refused(server, sessions):
    base = server.url
    admin = sessions["admin"]
    r = admin.post(f"{base}/en/team/users.html", data={"action": "add", "name": "evelynx",
                                                        "role": "admin",
                                                        "password": "x" * 20})
    assert r.status_code == 403
    assert ">evelynx<" not in admin.get(f"{base}/en/team/users.html").text
    r = sessions["analyst"].post(f"{base}/logout", data={})
    assert r.status_code == 403
    with client() as c:
        c.get(f"{base}/en/login.html")
        r = c.post(f"{base}/en/login.html", data={"username": "ana", "password": PASSWORD})
        assert r.status_code == 403


def test_admin_adds_and_removes_a_user_in_the_ui(server, sessions):
    base, admin = server.url, sessions["admin"]
    page = admin.get(f"{base}/en/team/users.html").text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = admin.post(f"{base}/en/team/users.html", data={
        "csrf": token, "action": "add", "name": "olga", "role": "analyst",
        "password": "another long passphrase"})
    assert r.status_code == 200 and "olga" in r.text
    with client() as c:
        assert login(c, base, "olga", "another long passphrase").status_code == 303
        assert c.get(f"{base}/en/team/appendix.html").status_code == 200
        r = admin.post(f"{base}/en/team/users.html",
                       data={"csrf": token, "action": "remove", "name": "olga"})
        assert r.status_code == 200 and "olga" not in r.text.split("<h2")[0].split("<tbody>")[1]
        # the removed user's session stops working at once
        assert c.get(f"{base}/en/team/appendix.html").status_code == 401


def test_a_short_password_is_refused_in_the_ui(server, sessions):
    base, admin = server.url, sessions["admin"]
    token = re.search(r'name="csrf" value="([^"]+)"',
                      admin.get(f"{base}/en/team/users.html").text).group(1)
    r = admin.post(f"{base}/en/team/users.html", data={
        "csrf": token, "action": "add", "name": "pat", "role": "analyst", "password": "short"})
    assert r.status_code == 400 and "shorter than 12" in r.text


def test_logout_ends_the_session(server):
    with client() as c:
        login(c, server.url, "ana")
        html = c.get(f"{server.url}/en/index.html").text
        token = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
        old = c.cookies[COOKIE]
        assert c.post(f"{server.url}/logout", data={"csrf": token}).status_code in (200, 303)
    with httpx.Client(cookies={COOKIE: old}) as c:
        assert c.get(f"{server.url}/en/team/appendix.html").status_code == 401


def test_login_attempts_are_rate_limited(server):
    server.state.limiter.reset("adam")
    with client() as c:
        codes = [login(c, server.url, "adam", f"wrong guess number {i}").status_code
                 for i in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    server.state.limiter.reset("adam")
    server.state.ip_limiter.reset("127.0.0.1")


def test_every_response_carries_the_security_headers(server, sessions):
    for url in ("/en/index.html", "/assets/site.js", "/data/estimates.csv", "/en/login.html"):
        r = sessions["public"].get(server.url + url)
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP


def test_analyst_pages_show_standard_errors_and_counts_never_values(server, sessions):
    c = sessions["analyst"]
    html = c.get(f"{server.url}/en/team/precision/any_tfcsea.html").text
    assert "SE (pp)" in html and "Design effect" in html
    imports = c.get(f"{server.url}/en/team/imports.html").text
    assert "Quarantined" in imports and "main" in imports
    assert "dashboard_users" not in imports
    csv = c.get(f"{server.url}/en/team/estimates-full.csv").text
    assert csv.splitlines()[0].startswith("row_id,indicator,category,base,unit,domain,level,"
                                          "estimate,se,")


def test_serve_binds_to_localhost_and_says_so(planted, site_data, monkeypatch):
    import uvicorn

    from dhkit.dashboard import data as data_module
    from dhkit.dashboard.server import serve

    said, ran = [], {}
    monkeypatch.setattr(data_module, "collect", lambda study, region_dir=None: site_data)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: ran.update(kw))
    serve(planted.study, say=said.append)
    assert ran["host"] == "127.0.0.1" and ran["port"] == 8000
    assert "localhost only" in said[0] and "http://127.0.0.1:8000/" in said[0]
    serve(planted.study, host="0.0.0.0", port=8080, say=said.append)
    assert "ALL interfaces" in said[1] and "HTTPS" in said[1]


@pytest.mark.parametrize("lang, words", [
    ("en", ("Design effect due to weighting", "5th percentile", "Statistic")),
    ("es", ("Efecto de diseño debido a la ponderación", "Percentil 5", "Estadístico"))])
def test_the_weights_page_names_steps_and_statistics_as_the_report_does(server, sessions,
                                                                        lang, words):
    page = sessions["analyst"].get(f"{server.url}/{lang}/team/weights.html").text
    assert all(w in page for w in words)
    assert "w_base" not in page and ">p5<" not in page and "Kish deff" not in page
