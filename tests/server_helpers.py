"""A real uvicorn server on a loopback port, run in a thread by the tests that need one."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import httpx
import uvicorn

from svgkit_rewards.cli import KEEP_ALIVE_S


class LiveServer:
    """Serves an ASGI app with uvicorn on ``127.0.0.1:<free port>`` in a daemon thread."""

    def __init__(self, app: Any, *, wait_ready: bool = True, timeout_s: float = 600.0) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = app
        config = uvicorn.Config(app, log_level="warning", lifespan="on",
                                timeout_graceful_shutdown=30, timeout_keep_alive=KEEP_ALIVE_S)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]},
                                       daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        if wait_ready:
            self.wait_ready(deadline - time.monotonic())

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while httpx.get(self.url + "/ready", timeout=10).status_code != 200:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not get ready")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(60)
        assert not self.thread.is_alive(), "the test server did not shut down"

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
