"""Browser fixtures: the app served from a thread, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
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


def pytest_collection_modifyitems(items):
    """Mark browser tests, slow too (`pytest -m "not slow"` leaves them out)."""
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Use Debian's Chromium: Playwright's own browser download cannot run here."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A phone-sized viewport; CSP bypass only so that axe-core can be injected."""
    return {
        **browser_context_args,
        "viewport": PHONE,
        "bypass_csp": True,
        "locale": "fr-FR",
        "has_touch": True,
        "is_mobile": True,
    }


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test application served on a random loopback port, CSRF on as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, _closing(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        app.config["WTF_CSRF_ENABLED"] = False


def _closing(app):
    """The application, its responses closed even when the browser goes away mid-stream.

    Werkzeug's development server skips `close()` when the connection drops while it writes (a
    video the player stops fetching), which leaves the file open; gunicorn always closes. A
    generator's `finally` runs when the abandoned generator is collected, and closes it then.
    """

    def wsgi(environ, start_response):
        response = app(environ, start_response)
        try:
            yield from response
        finally:
            if hasattr(response, "close"):
                response.close()

    return wsgi


def sign_in(page, base_url: str, email: str, password: str) -> None:
    """Fill the real sign-in form."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """WCAG 2.1 A/AA violations of the given impacts found by axe-core on the current page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]
