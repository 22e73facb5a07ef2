"""Debian's Chromium, driven by playwright, for the browser tests and the bench.

playwright is only the driver: the browser is /usr/bin/chromium from Debian (installed by the
nox tests session, tools/handbook_build.py), never a browser build that playwright downloads.
Every request a page makes is routed through `guard`: requests to the site's own server go on,
anything else is recorded and aborted, so a test can fail on it without any traffic leaving
the machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
import handbook_build as hb  # noqa: E402

LOCAL_HOSTS = {"127.0.0.1"}
INLINE_SCHEMES = {"data", "blob", "about"}  # no network: the page's own inline resources


def missing_tools_message() -> str | None:
    """Why the browser tests cannot run here, with what to install; None when they can."""
    missing = hb.missing_browser_tools()
    missing += [str(p) for p in (hb.node_tool("axe-core", "axe.min.js"), hb.node_tool(".bin", "lighthouse"),
                                 hb.node_tool("vnu-jar", "build", "dist", "vnu.jar")) if not p.exists()]
    if not missing:
        return None
    return (f"the browser tests need {', '.join(missing)}: run `nox -s tests`, which installs them, "
            f"or as root `apt-get install -y {' '.join(hb.BROWSER_PACKAGES)}` and "
            f"`npm ci --prefix tests --ignore-scripts`")


@contextmanager
def chromium() -> Iterator:
    """A headless Debian Chromium (playwright Browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=hb.CHROMIUM, args=hb.CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def guard(context, foreign: list[str]) -> None:
    """Let requests to the local server through; record and abort every other one."""
    def handle(route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in INLINE_SCHEMES or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            foreign.append(url)
            route.abort()
    context.route("**/*", handle)


def transferred_bytes(browser, url: str) -> tuple[int, int]:
    """(bytes over the wire, number of requests) for one cold load of url, as a first-time
    reader gets it: a fresh context (empty cache), everything the page loads until it is idle."""
    context = browser.new_context()
    foreign: list[str] = []
    guard(context, foreign)
    sizes: list[int] = []
    page = context.new_page()
    page.on("requestfinished", lambda request: sizes.append(
        (s := request.sizes())["responseBodySize"] + s["responseHeadersSize"]))
    page.goto(url, wait_until="networkidle")
    context.close()
    assert not foreign, f"{url} requested other hosts: {foreign}"
    return sum(sizes), len(sizes)
