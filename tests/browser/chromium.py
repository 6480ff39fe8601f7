"""A headless Chromium driven over the DevTools protocol (CDP), offline but for 127.0.0.1.

No browser is downloaded: the binary is Debian's ``chromium`` (``infra/install_chromium.sh``).
The browser is started with a proxy that does not exist and a host resolver that resolves
nothing, both bypassed for loopback only, so a page that reaches for a CDN fails to load it;
every request the page makes is recorded (:attr:`Page.requests`) so a test can assert that
none left the machine.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: Loopback only: everything else goes to a proxy nobody listens on and resolves to nothing.
OFFLINE_FLAGS = (
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1;localhost;[::1]",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)


def chromium_binary() -> str | None:
    """The Chromium executable on this machine, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(RuntimeError):
    """The browser did not do what the test asked in time (with what it saw)."""


class Page:
    """One tab: navigate, evaluate JavaScript, wait for a condition; requests are recorded."""

    def __init__(self, ws_url: str) -> None:
        from websockets.sync.client import connect

        self._connection = connect(ws_url, max_size=64 * 1024 * 1024, open_timeout=10)
        self._ws = self._connection.__enter__()
        self._ids = itertools.count(1)
        self._events: list[dict[str, Any]] = []
        self.requests: list[str] = []
        self.failed: list[tuple[str, str]] = []
        self._urls: dict[str, str] = {}
        self.call("Page.enable")
        self.call("Network.enable")
        self.call("Runtime.enable")

    def close(self) -> None:
        self._connection.__exit__(None, None, None)

    # --- protocol -------------------------------------------------------------------------------
    def _record(self, event: dict[str, Any]) -> None:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            self.requests.append(url)
            self._urls[params["requestId"]] = url
        elif method == "Network.loadingFailed":
            self.failed.append((self._urls.get(params["requestId"], "?"), params.get("errorText", "")))
        self._events.append(event)

    def call(self, method: str, timeout: float = 30.0, **params: Any) -> dict[str, Any]:
        """Send one CDP command and return its result (events arriving meanwhile are recorded)."""
        ident = next(self._ids)
        self._ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError(f"{method}: no answer in {timeout} s")
            message = json.loads(self._ws.recv(timeout=remaining))
            if message.get("id") == ident:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self._record(message)

    def _drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                message = json.loads(self._ws.recv(timeout=remaining))
            except TimeoutError:
                return
            if "method" in message:
                self._record(message)

    # --- what a test uses -----------------------------------------------------------------------
    def headers(self, headers: dict[str, str]) -> None:
        """Send these HTTP headers with every request from now on (e.g. ``Authorization``)."""
        self.call("Network.setExtraHTTPHeaders", headers=headers)

    def goto(self, url: str, timeout: float = 30.0) -> None:
        """Navigate and wait for the load event."""
        self._events.clear()
        result = self.call("Page.navigate", url=url)
        if result.get("errorText"):
            raise BrowserError(f"{url}: {result['errorText']}")
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in self._events):
            if time.monotonic() > deadline:
                raise BrowserError(f"{url}: no load event in {timeout} s")
            self._drain(0.1)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression!r}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30.0) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            self._drain(0.2)
        text = self.evaluate("document.body ? document.body.innerText.slice(0, 500) : ''")
        raise BrowserError(f"{expression!r} still {value!r} after {timeout} s; page text: {text!r}")

    def off_machine_requests(self) -> list[str]:
        """Every request this page made to anything but loopback or a local scheme."""
        local = {"127.0.0.1", "localhost", "::1", "[::1]"}
        return [u for u in self.requests
                if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).hostname not in local]


@contextmanager
def chromium(profile_dir: Path) -> Iterator[Page]:
    """A headless Chromium, offline but for loopback, with one page; closed afterwards."""
    binary = chromium_binary()
    if binary is None:
        raise BrowserError("no chromium on this machine (infra/install_chromium.sh)")
    profile_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--no-default-browser-check", "--disable-extensions",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--allow-file-access-from-files", "--remote-debugging-address=127.0.0.1",
         "--remote-debugging-port=0", f"--user-data-dir={profile_dir}", "--window-size=1280,900",
         *OFFLINE_FLAGS, "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    page = None
    try:
        port_file = profile_dir / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if process.poll() is not None:
                raise BrowserError(f"chromium exited: {process.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                raise BrowserError("chromium did not open its DevTools port in 30 s")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            targets = json.load(answer)
        ws_url = next(t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page")
        page = Page(ws_url)
        yield page
    finally:
        if page is not None:
            page.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
