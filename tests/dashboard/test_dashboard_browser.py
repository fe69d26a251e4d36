"""The dashboard in a real browser: Playwright driving the Debian Chromium (never a
downloaded browser). The static site is opened from ``file://`` (as a reader who
downloaded it would) and the team server over HTTP. Screenshots of a phone-sized and a
desktop viewport are written to the test's temporary folder (``DHKIT_SCREENSHOTS=dir``
keeps them elsewhere for a person to look at)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dash_helpers import PASSWORD, leaks

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Debian chromium is not installed (scripts/system-deps.sh installs it); "
                "the browser tests need it and never download a browser",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the Python package playwright is not installed")

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWS = ["index.html", "compare.html", "legal.html", "recommendations.html", "downloads.html",
         "about.html", "codebook.html"]
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    where = os.environ.get("DHKIT_SCREENSHOTS")
    path = Path(where) if where else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


class Watched:
    """A page that records console errors, page errors and failed requests."""

    def __init__(self, context):
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed {r.url}"))


@pytest.fixture()
def tab(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    yield Watched(context)
    context.close()


def _url(site, lang: str, view: str) -> str:
    return (site.out_dir / lang / view).as_uri()


def test_every_view_renders_in_english_and_spanish(site, site_data, tab):
    views = VIEWS + [f"indicators/{i}.html" for i in site_data.indicators]
    for lang in ("en", "es"):
        for view in views:
            tab.page.goto(_url(site, lang, view))
            assert tab.page.evaluate("document.documentElement.lang") == lang
            assert tab.page.locator("h1").first.is_visible(), view
    assert tab.errors == []


def test_the_indicator_page_shows_domains_flags_and_a_chart(site, tab):
    tab.page.goto(_url(site, "es", "indicators/any_tfcsea.html"))
    table = tab.page.locator("table.est").first
    assert table.locator("th[scope=rowgroup]").count() >= 6          # overall + domains
    assert table.locator("td.suppressed").first.inner_text().startswith("*")
    assert table.locator("td.caution").first.inner_text().startswith("(")
    assert tab.page.locator("svg.chart circle").count() > 10
    assert tab.page.locator("svg.chart title").first.text_content()


@pytest.mark.parametrize("width", [1024, 1100, 1400])
def test_the_indicator_table_is_never_cut_beside_its_chart(site, browser, width):
    """On a laptop-sized screen the table sits beside the chart without a hidden column:
    "999" never shows as "99" at the edge of its scroll box."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(_url(site, "en", "indicators/any_tfcsea.html"))
    box = page.locator(".grid .scroll").first
    hidden = box.evaluate("e => e.scrollWidth - e.clientWidth")
    context.close()
    assert hidden <= 1


def test_the_picker_opens_the_chosen_indicator(site, tab):
    tab.page.goto(_url(site, "en", "index.html"))
    tab.page.select_option("#pick", "told_anyone")
    tab.page.click("form[data-picker] button")
    tab.page.wait_for_url("**/indicators/told_anyone.html")
    assert tab.errors == []


def test_compare_shows_the_design_based_test_of_two_groups(site, site_data, tab):
    tab.page.goto(_url(site, "en", "compare.html") + "#any_tfcsea")
    tab.page.select_option("#c-dom", "sex")
    tab.page.select_option("#c-a", "1")
    tab.page.select_option("#c-b", "2")
    out = tab.page.locator("#c-out").inner_text()
    pairs = site_data.pairs
    row = pairs[(pairs.indicator == "any_tfcsea") & (pairs.domain == "sex")
                & (pairs.category == "")].iloc[0]
    sign = 1 if (row.level_a, row.level_b) == ("1", "2") else -1
    assert f"{sign * row.difference * 100:.1f}" in out
    assert f"{row.p_value:.3f}" in out
    assert "significant at the 5% level" in out
    pub = site_data.public
    flags = {(r.domain, r.level): r.flag for r in pub[(pub.indicator == "any_tfcsea")
                                                      & (pub.category == "")].itertuples()}
    hidden = [r for r in pairs[(pairs.indicator == "any_tfcsea") & (pairs.category == "")
                               & pairs.suppressed].itertuples()
              if {flags.get((r.domain, r.level_a)), flags.get((r.domain, r.level_b))}
              == {"suppressed", ""}][0]              # a pair with one suppressed side
    tab.page.select_option("#c-dom", hidden.domain)
    tab.page.select_option("#c-a", hidden.level_a)
    tab.page.select_option("#c-b", hidden.level_b)
    out = tab.page.locator("#c-out").inner_text()
    assert "Not shown" in out and "*" in out
    assert tab.errors == []


def test_compare_says_a_difference_fixed_by_definition_has_no_test(site, tab):
    """Any TF-CSEA among children subjected / not subjected to it is 100 % / 0 %: the page
    gives the difference but no p-value and no verdict."""
    tab.page.goto(_url(site, "en", "compare.html") + "#any_tfcsea")
    tab.page.select_option("#c-dom", "victim")
    tab.page.select_option("#c-a", "0")
    tab.page.select_option("#c-b", "1")
    out = tab.page.locator("#c-out").inner_text()
    assert "percentage points: 100.0" in out
    assert "No test: both shares are fixed by definition" in out
    assert "p-value" not in out and "significant at" not in out
    assert tab.errors == []


def test_compare_in_spanish_formats_numbers_the_spanish_way(site, tab):
    tab.page.goto(_url(site, "es", "compare.html") + "#any_tfcsea")
    out = tab.page.locator("#c-out").inner_text()
    assert "valor p" in out and "," in out


def test_keyboard_alone_reaches_content_navigation_and_the_comparison(site, tab):
    page = tab.page
    page.goto(_url(site, "en", "index.html"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.goto(_url(site, "en", "index.html"))
    for _ in range(12):                                   # to the "Compare" link of the nav
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Compare":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/compare.html")
    page.focus("#c-dom")
    before = page.locator("#c-out").inner_text()
    page.keyboard.press("ArrowDown")
    assert page.locator("#c-out").inner_text() != before
    visible = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert visible != "none"                              # a visible focus ring
    assert tab.errors == []


def test_a_phone_sized_viewport_is_usable(site, browser, shots):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    for lang, view in (("en", "index.html"), ("es", "indicators/any_tfcsea.html"),
                       ("en", "compare.html"), ("es", "legal.html"),
                       ("en", "recommendations.html")):
        page.goto(_url(site, lang, view))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{lang}/{view} scrolls sideways ({width}px)"
        assert page.locator("header nav a").first.is_visible()
        assert page.locator("h1").first.bounding_box()["width"] <= PHONE["width"]
        name = f"phone-{lang}-{view.replace('/', '-')}.png"
        page.screenshot(path=str(shots / name), full_page=True)
        assert (shots / name).stat().st_size > 5000
    context.close()


def test_desktop_screenshots(site, tab, shots):
    for lang, view in (("en", "indicators/any_tfcsea.html"), ("es", "compare.html"),
                       ("en", "legal.html")):
        tab.page.goto(_url(site, lang, view) + ("#any_tfcsea" if "compare" in view else ""))
        name = f"desktop-{lang}-{view.replace('/', '-')}.png"
        tab.page.screenshot(path=str(shots / name), full_page=True)
        assert (shots / name).stat().st_size > 10000


# --- the team server ------------------------------------------------------------------------


def _sign_in(page, base: str, user: str, lang: str = "en") -> None:
    page.goto(f"{base}/{lang}/login.html")
    page.fill("#l-user", user)
    page.fill("#l-pass", PASSWORD)
    page.keyboard.press("Enter")                          # the form submits from the keyboard
    page.wait_for_url(f"{base}/{lang}/index.html")


def _team_links(page) -> set[str]:
    return {a.get_attribute("href").rsplit("team/", 1)[1]
            for a in page.locator("nav ul.team a").all()}


@pytest.mark.parametrize("user,links", [
    ("ana", {"precision.html", "appendix.html", "weights.html", "imports.html"}),
    ("rita", {"restricted.html"}),
    ("adam", {"users.html"}),
])
def test_each_role_sees_its_own_team_views_in_the_browser(server, browser, user, links):
    context = browser.new_context()
    page = context.new_page()
    _sign_in(page, server.url, user, "es")
    assert _team_links(page) == links
    for link in links:
        response = page.goto(f"{server.url}/es/team/{link}")
        assert response.status == 200
        assert page.locator("h1").first.is_visible()
    assert "Cerrar sesión" in page.content()
    context.close()


def test_a_visitor_sees_no_team_views_and_a_sign_in_link(server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}/en/index.html")
    assert _team_links(page) == set()
    assert page.locator("a.login").is_visible()
    assert page.goto(f"{server.url}/en/team/appendix.html").status == 401
    context.close()


def test_no_browser_response_to_a_visitor_or_analyst_holds_restricted_content(
        server, browser, planted, site_data):
    for user in (None, "ana"):
        context = browser.new_context()
        page = context.new_page()
        responses: list = []
        page.on("response", lambda r: responses.append(r))
        if user:
            _sign_in(page, server.url, user)
        seen = 0
        for path in ["/en/index.html", "/es/compare.html", "/en/legal.html",
                     "/en/downloads.html", "/en/team/appendix.html", "/en/team/imports.html",
                     "/en/team/weights.html", "/en/team/restricted.html",
                     "/en/indicators/any_tfcsea.html", "/en/team/precision/any_tfcsea.html"]:
            responses.clear()
            page.goto(server.url + path)
            page.wait_for_load_state("load")
            for r in list(responses):                    # HTML, CSS, JS and the JSON data
                if r.status in (301, 302, 303):
                    continue
                text = r.body().decode("utf-8", "replace")
                seen += 1
                assert not leaks(text, planted.markers), f"{user or 'visitor'} got {r.url}"
        assert seen >= 10
        context.close()


def test_the_browser_keeps_the_session_cookie_from_scripts(server, browser):
    context = browser.new_context()
    page = context.new_page()
    _sign_in(page, server.url, "ana")
    assert "dhkit_session" not in page.evaluate("document.cookie")     # HttpOnly
    cookie = [c for c in context.cookies() if c["name"] == "dhkit_session"][0]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > 0
    context.close()
