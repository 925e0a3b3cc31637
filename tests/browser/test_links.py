"""Links into the app, and what the app fetches, in headless Chromium.

- A shared link to a page opens that page, even for the first visitor of a freshly started server.
- The app asks nothing of any host but its own server (the favicon included): it works offline.
- Links between pages navigate inside the app, in the same tab.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import urlsplit

import pytest

from tests.support.browser import running_app, wait_idle
from ui.navigation import HOME_ALIAS, available_pages


LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def page_heading(info) -> str:
    """The text of the page's ``st.title``, read from its source."""
    found = re.search(r"st\.title\(\s*\"([^\"]+)\"", info.path.read_text())
    assert found, f"{info.file} has no st.title"
    return found.group(1)


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def assert_no_page_not_found(page, link: str) -> None:
    body = page.locator("body").inner_text()
    assert "Page not found" not in body, f"{link}: {body[:300]}"
    assert "does not seem to exist" not in body, f"{link}: {body[:300]}"


@contextlib.contextmanager
def first_visit(browser, path: str):
    """The page at *path* of a freshly started server, opened by its very first visitor."""
    with running_app() as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.goto(f"{url}/{path}")
            wait_idle(page)
            assert_no_page_not_found(page, path)
            yield page
        finally:
            context.close()


@pytest.mark.parametrize("info", available_pages(), ids=lambda p: p.url_path)
def test_deep_link_opens_the_page_for_the_first_visitor(browser, info):
    """A fresh server whose very first request is a link to the page shows that page."""
    with first_visit(browser, info.url_path) as page:
        assert page.locator("[data-testid='stMain'] h1").first.inner_text().strip() == page_heading(info)
        assert urlsplit(page.url).path.rstrip("/").endswith(f"/{info.url_path}"), page.url
        # The app's own menu (its titles), not one Streamlit made up from the pages/ file names.
        menu = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert all(p.title in menu for p in available_pages()), menu


def test_home_link_opens_the_home_page_for_the_first_visitor(browser):
    """/home (the path the home page declares) opens the home page, first visitor included."""
    with first_visit(browser, HOME_ALIAS) as page:
        assert page.locator("[data-testid='stMain'] h1").first.inner_text().strip() == "audioml"
        text = main_text(page)
        assert all(info.title in text for info in available_pages())


def test_every_request_stays_on_the_server(browser):
    """Home and every page, favicon included: no request leaves the loopback address."""
    with running_app() as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        hosts: list[str] = []
        context.on("request", lambda request: hosts.append(urlsplit(request.url).hostname or request.url))
        try:
            page = context.new_page()
            for path in [""] + [p.url_path for p in available_pages()]:
                page.goto(f"{url}/{path}")
                wait_idle(page)
            page.wait_for_timeout(1000)
            icons = page.eval_on_selector_all("link[rel~='icon']", "links => links.map(l => l.href)")
        finally:
            context.close()
    assert hosts, "no request recorded"
    outside = sorted({h for h in hosts if h not in LOOPBACK and not h.startswith(("data:", "blob:"))})
    assert not outside, f"requests left the server: {outside}"
    assert icons and all(urlsplit(i).hostname in LOOPBACK for i in icons), icons


def test_links_between_pages_stay_in_the_tab(browser):
    """The experiments page's "Try it on the … page" links open the page in the same tab."""
    infos = {p.url_path: p for p in available_pages()}
    if "experiments" not in infos or "denoise" not in infos:
        pytest.skip("needs the experiments and denoise pages")
    with first_visit(browser, "experiments") as page:
        link = page.locator("[data-testid='stMain'] a", has_text=re.compile(r"Try it on the denoise page"))
        assert link.count() >= 1, "no 'Try it on the denoise page' link"
        assert link.first.get_attribute("target") in (None, "", "_self"), "the link opens a new tab"
        link.first.click()
        page.wait_for_url(re.compile(r"/denoise$"), timeout=60_000)
        wait_idle(page)
        assert len(page.context.pages) == 1, "a second tab was opened"
        assert page.locator("[data-testid='stMain'] h1").first.inner_text().strip() == \
            page_heading(infos["denoise"])
