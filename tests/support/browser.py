"""Debian's Chromium (scripts/test.sh installs it with apt), driven by Playwright: the
web portal's end-to-end tests and the PDFs the importer reads are made with it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# As root on a closed network: no sandbox, and none of the background connections
# Chromium would otherwise make (and have refused, many at a time).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A headless Chromium; without one the test fails, or is skipped when
    ALLOW_NO_BROWSER=1."""
    if not CHROMIUM.is_file():
        if os.environ.get("ALLOW_NO_BROWSER") == "1":
            pytest.skip(f"no browser at {CHROMIUM} (ALLOW_NO_BROWSER=1)")
        pytest.fail(
            f"no browser at {CHROMIUM}: apt-get install -y chromium (scripts/test.sh does), "
            "or set ALLOW_NO_BROWSER=1 to skip the browser tests",
            pytrace=False,
        )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()
