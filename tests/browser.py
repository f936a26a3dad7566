"""Drive headless Chromium over the DevTools protocol: load a page, wait for text, take a screenshot.

Real waiting (polling the rendered page) rather than --virtual-time-budget, which fast-forwards the
page's timers and lets a websocket app like Streamlit time out before it connects on a busy machine.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from websockets.sync.client import connect

from sskai.serving.process import free_port

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
]


class Page:
    def __init__(self, websocket_url: str) -> None:
        self._socket = connect(websocket_url, max_size=None)
        self._ids = itertools.count(1)

    def call(self, method: str, **params: object) -> dict:
        message_id = next(self._ids)
        self._socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self._socket.recv(timeout=60))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def text(self) -> str:
        result = self.call("Runtime.evaluate", expression="document.body ? document.body.innerText : ''")
        return result["result"].get("value", "")

    def wait_for_text(self, *needles: str, timeout_seconds: float = 90.0) -> str:
        deadline = time.monotonic() + timeout_seconds
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if all(needle in text for needle in needles):
                return text
            time.sleep(0.5)
        raise AssertionError(f"page never showed {needles}; it shows: {text[:500]!r}")

    def wait_for(self, expression: str, timeout_seconds: float = 90.0) -> None:
        """Poll a JavaScript expression until it is true (charts drawn, say)."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self.call("Runtime.evaluate", expression=expression)["result"].get("value"):
                return
            time.sleep(0.5)
        raise AssertionError(f"{expression} never became true")

    def click(self, selector: str, text: str, timeout_seconds: float = 60.0) -> None:
        """Click the first element matching ``selector`` whose visible text is ``text`` (once it is there).

        Text is compared line by line: Streamlit puts icon names (``keyboard_arrow_down``) on lines of their own.
        """
        expression = (
            f"(() => {{ const e = [...document.querySelectorAll({json.dumps(selector)})]"
            f".find(e => e.innerText.split('\\n').map(l => l.trim()).includes({json.dumps(text)})); "
            "if (e) { e.click(); return true; } return false; })()"
        )
        self.wait_for(expression, timeout_seconds)

    def set_files(self, selector: str, path: Path, timeout_seconds: float = 60.0) -> None:
        """Choose ``path`` in the file input ``selector``, as a person picking it in the file dialog would."""
        self.wait_for(f"document.querySelector({json.dumps(selector)}) !== null", timeout_seconds)
        root = self.call("DOM.getDocument", depth=-1, pierce=True)["root"]["nodeId"]
        node = self.call("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        self.call("DOM.setFileInputFiles", files=[str(path)], nodeId=node)

    def type_into(self, selector: str, text: str, attempts: int = 5) -> None:
        """Focus the input ``selector`` and type ``text`` (Streamlit reads real key input, not a set value).

        A rerun can replace the input while it is typed into; typing is repeated until the value holds.
        """
        element = f"document.querySelector({json.dumps(selector)})"
        for _ in range(attempts):
            self.wait_for(f"{element} !== null")
            time.sleep(1)
            self.call("Runtime.evaluate", expression=f"{element}.focus(); {element}.select()")
            self.call("Input.insertText", text=text)
            time.sleep(1)
            if self.call("Runtime.evaluate", expression=f"{element}.value")["result"].get("value") == text:
                return
        raise AssertionError(f"{selector} never held {text!r}")

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))
        return path

    def close(self) -> None:
        self._socket.close()


@contextmanager
def open_page(url: str, profile_dir: Path) -> Iterator[Page]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is required (scripts/test.sh installs Debian's package)"
    port = free_port()
    browser = subprocess.Popen(
        [chromium, *FLAGS, f"--remote-debugging-port={port}", f"--user-data-dir={profile_dir}", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        targets: list[dict] = []
        while time.monotonic() < deadline and not targets:
            try:
                targets = [
                    t
                    for t in httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=2).json()
                    if t.get("type") == "page"
                ]
            except httpx.HTTPError:
                time.sleep(0.3)
        assert targets, "chromium did not open a page"
        page = Page(targets[0]["webSocketDebuggerUrl"])
        try:
            yield page
        finally:
            page.close()
    finally:
        browser.terminate()
        browser.wait(timeout=30)
