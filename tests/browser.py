"""Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
NUL-separated JSON on file descriptors 3 and 4), so a test can use a page with the keyboard as a
person does (Tab, typing, Enter) without a WebSocket client library."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def dump_dom(url: str, profile: Path, budget_ms: int | None = None) -> str:
    """The page's DOM as headless Chromium leaves it (after its scripts ran, within
    ``budget_ms`` of virtual time when given): for tests that read a page, not use it."""
    assert CHROMIUM is not None, "CI installs Chromium (.ci/setup)"
    budget = [f"--virtual-time-budget={budget_ms}"] if budget_ms is not None else []
    result = subprocess.run(
        [CHROMIUM, *HEADLESS, f"--user-data-dir={profile}", *budget, "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip(), result.stderr[-2000:]
    return result.stdout


class Browser:
    def __init__(self, profile: Path) -> None:
        assert CHROMIUM is not None, "CI installs Chromium (.ci/setup)"
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
        flags += [
            "--disable-background-networking",
            "--disable-component-update",
            f"--user-data-dir={profile}",
        ]
        self._process = subprocess.Popen(
            [
                "bash",
                "-c",
                f'exec "$0" "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}',
                CHROMIUM,
                *flags,
                "--remote-debugging-pipe",
                "about:blank",
            ],
            pass_fds=(to_chrome_r, from_chrome_w),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._id = 0
        self._session: str | None = None

    def send(self, method: str, params: dict[str, Any] | None = None, browser: bool = False) -> Any:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if self._session and not browser:
            message["sessionId"] = self._session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read()
            if answer.get("id") == self._id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_chrome, 65536)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def open(self, url: str) -> None:
        """Load ``url`` in the browser's page and wait until it has loaded."""
        if self._session is None:
            targets = self.send("Target.getTargets", browser=True)["targetInfos"]
            page = next(t for t in targets if t["type"] == "page")
            attached = self.send(
                "Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}, True
            )
            self._session = attached["sessionId"]
        self.send("Page.navigate", {"url": url})
        self.wait(f"location.href === {json.dumps(url)} && document.readyState === 'complete'")

    def eval(self, expression: str) -> Any:
        return self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})["result"].get(
            "value"
        )

    def wait(self, expression: str, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.eval(expression):
                return
            time.sleep(0.05)
        raise TimeoutError(f"never true: {expression}")

    def _key(self, key: str, code: int, text: str = "") -> None:
        down: dict[str, Any] = {"type": "keyDown" if text else "rawKeyDown", "key": key, "code": key}
        down["windowsVirtualKeyCode"] = code
        if text:
            down["text"] = text
        self.send("Input.dispatchKeyEvent", down)
        self.send(
            "Input.dispatchKeyEvent",
            {"type": "keyUp", "key": key, "code": key, "windowsVirtualKeyCode": code},
        )

    def tab_to(self, element_id: str, limit: int = 20) -> int:
        """Press Tab until the element has the focus; the number of presses."""
        for presses in range(1, limit + 1):
            self._key("Tab", 9)
            if self.eval("document.activeElement.id") == element_id:
                return presses
        raise AssertionError(f"Tab never reached #{element_id}")

    def type(self, text: str) -> None:
        for char in text:
            self.send("Input.dispatchKeyEvent", {"type": "keyDown", "key": char, "text": char})
            self.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": char})

    def enter(self) -> None:
        self._key("Enter", 13, "\r")

    def close(self) -> None:
        with contextlib.suppress(OSError, EOFError, RuntimeError):
            self.send("Browser.close", browser=True)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
