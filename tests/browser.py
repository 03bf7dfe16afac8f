"""Driving a real headless Chromium from tests over the DevTools protocol, without new dependencies.

Chromium is started with `--remote-debugging-port=0`; the port it picked is read from the
`DevToolsActivePort` file in its (temporary) profile folder, and the tests talk CDP over the browser
websocket with the `websockets` package (already installed as a Prefect dependency), one flattened
session per page. Every request the page makes is recorded from `Network.*` events, and every
Content-Security-Policy violation from a listener installed before the page's own scripts run.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

FLAGS = (
    "--headless",
    "--no-sandbox",  # tests run as root in containers, where the sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
    # Belt and braces: even if something slipped past the page's CSP, it would go nowhere.
    "--proxy-server=127.0.0.1:9",
    "--remote-debugging-port=0",
)

_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def find_chromium() -> str | None:
    """The Chromium (or Chrome) executable on PATH, or None."""
    override = os.environ.get("UNIONFLOW_CHROMIUM")
    if override:
        return override if shutil.which(override) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class CDPError(RuntimeError):
    """The browser answered a command with an error, or did not answer in time."""


class Page:
    """One tab, driven through a flattened CDP session on the browser websocket."""

    def __init__(self, browser: Browser, session_id: str) -> None:
        self.browser = browser
        self.session_id = session_id
        self.requests: list[dict[str, Any]] = []  # Network.requestWillBeSent params
        self.failures: list[dict[str, Any]] = []  # Network.loadingFailed params
        self.loaded = False

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30) -> dict[str, Any]:
        """Send a command to this page and return its result."""
        return self.browser.send(method, params, session_id=self.session_id, timeout=timeout)

    def on_event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Network.requestWillBeSent":
            self.requests.append(params)
        elif method == "Network.loadingFailed":
            self.failures.append(params)
        elif method == "Page.loadEventFired":
            self.loaded = True

    def goto(self, url: str, timeout: float = 30) -> None:
        """Navigate and wait for the load event."""
        self.loaded = False
        self.send("Page.navigate", {"url": url})
        self.browser.pump(lambda: self.loaded, timeout)

    def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page and return its (JSON) value."""
        result = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}
        )
        if "exceptionDetails" in result:
            raise CDPError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click (pressed and released) in the middle of the element."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()"
        )
        x, y = box
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            params: dict[str, Any] = {"type": kind, "x": x, "y": y}
            if kind != "mouseMoved":
                params.update(button="left", clickCount=1)
            self.send("Input.dispatchMouseEvent", params)

    def screenshot(self, path: Path, width: int = 1280) -> Path:
        """A PNG of the whole page laid out `width` CSS pixels wide (a phone below 600)."""
        self.set_width(width)
        height = int(self.evaluate("Math.ceil(document.documentElement.scrollHeight)"))
        self.set_width(width, min(height, 16_000))
        self.evaluate("window.scrollTo(0, 0)")
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def set_width(self, width: int, height: int = 900) -> None:
        """Lay the page out for a window `width` CSS pixels wide (a phone below 600)."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )

    def overflowing(self, selector: str) -> list[str]:
        """Elements matching `selector` whose content is wider than the element, or that stick out
        past the right edge of the window (what a reader sees as cut-off text)."""
        return list(
            self.evaluate(
                f"Array.from(document.querySelectorAll({json.dumps(selector)})).filter(e => "
                "e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > "
                "document.documentElement.clientWidth + 1).map(e => e.outerHTML.slice(0, 160))"
            )
        )

    def axe(self, source: str, rules_off: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """Run axe-core (its source text) in the page; returns the violations, each with its impact."""
        self.evaluate(source + "\n;true")
        options = {"resultTypes": ["violations"], "rules": {rule: {"enabled": False} for rule in rules_off}}
        return list(
            self.evaluate(
                f"axe.run(document, {json.dumps(options)}).then(r => r.violations.map(v => "
                "({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.html)})))"
            )
        )

    def csp_violations(self) -> list[str]:
        """Content-Security-Policy violations the page reported (blocked loads)."""
        return list(self.evaluate("window.__cspViolations || []"))


class Browser:
    """A headless Chromium process and its DevTools websocket."""

    def __init__(self, executable: str, profile: Path) -> None:
        self.profile = profile
        self.log = (profile / "chromium.log").open("wb")
        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so closing ends its helpers too
        )
        self.ws: ClientConnection = connect(self._websocket_url(), max_size=None, open_timeout=30)
        self.ids = itertools.count(1)
        self.pages: dict[str, Page] = {}
        self.replies: dict[int, dict[str, Any]] = {}

    def _websocket_url(self, timeout: float = 30) -> str:
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CDPError(f"chromium exited with {self.process.returncode}; see {self.profile}")
            if port_file.exists():
                lines = port_file.read_text().split()
                if len(lines) >= 2:
                    return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            time.sleep(0.05)
        raise CDPError("chromium did not open its DevTools port in time")

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message:
            self.replies[message["id"]] = message
        elif message.get("sessionId") in self.pages:
            self.pages[message["sessionId"]].on_event(message["method"], message.get("params", {}))

    def pump(self, done: Any, timeout: float) -> None:
        """Read messages until `done()` is true."""
        deadline = time.monotonic() + timeout
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise CDPError("timed out waiting for the browser")
            try:
                raw = self.ws.recv(timeout=left)
            except TimeoutError:
                continue
            self._dispatch(json.loads(raw))

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session_id: str | None = None,
        timeout: float = 30,
    ) -> dict[str, Any]:
        """Send a command (to the browser, or a page session) and wait for its reply."""
        message_id = next(self.ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session_id:
            message["sessionId"] = session_id
        self.ws.send(json.dumps(message))
        self.pump(lambda: message_id in self.replies, timeout)
        reply = self.replies.pop(message_id)
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def new_page(self) -> Page:
        """A fresh tab with network events and the CSP-violation listener enabled."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        self.pages[session] = page
        page.send("Page.enable")
        page.send("Network.enable")
        page.send("Runtime.enable")
        page.send("Page.addScriptToEvaluateOnNewDocument", {"source": _VIOLATIONS})
        return page

    def close(self) -> None:
        """Close the websocket and end the Chromium process group we started."""
        try:
            self.ws.close()
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(timeout=10)
            self.log.close()


@contextmanager
def chromium(executable: str) -> Iterator[Browser]:
    """A headless Chromium with a throw-away profile, closed on exit."""
    with tempfile.TemporaryDirectory(prefix="unionflow-chromium-") as profile:
        browser = Browser(executable, Path(profile))
        try:
            yield browser
        finally:
            browser.close()
