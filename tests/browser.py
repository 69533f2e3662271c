"""A real headless Chromium for the tests (Debian's, driven by Playwright).

Playwright's own browser download does not work offline, so the system Chromium
(`make sysdeps`) is launched instead; KG_CHROMIUM names another binary. The page
is opened from a file with every request that leaves the file system refused and
recorded, so a page that needs the network shows it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class PageRecord:
    """What the page said and asked for while it was open."""

    def __init__(self):
        self.errors: list[str] = []          # console errors and uncaught exceptions
        self.outside_requests: list[str] = []  # anything not file://


@contextlib.contextmanager
def open_page(path: Path, width: int = 1400, height: int = 1000):
    """Yield (page, record) for the HTML file at `path`."""
    from playwright.sync_api import sync_playwright

    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM}: no Chromium; run `make sysdeps`"
    record = PageRecord()

    def route(request_route):
        url = request_route.request.url
        if url.startswith("file://"):
            request_route.continue_()
        else:
            record.outside_requests.append(url)
            request_route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda message: message.type == "error"
                    and record.errors.append(message.text))
            page.on("pageerror", lambda error: record.errors.append(str(error)))
            page.route("**/*", route)
            page.goto(Path(path).resolve().as_uri())
            yield page, record
        finally:
            browser.close()
