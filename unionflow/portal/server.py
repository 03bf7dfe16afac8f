"""Running the reference portal with uvicorn: in the foreground (CLI) or in a background thread (tests)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from unionflow.portal.app import create_app
from unionflow.portal.faults import FaultPlan
from unionflow.portal.responses import CycleStash


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket; port 0 lets the OS pick a free port (no race between finding and binding)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Lets a test restart the portal on the port it just released (resume tests need the same URL).
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def make_server(folder: Path, token: str, faults: str | FaultPlan | None = None) -> uvicorn.Server:
    """A uvicorn server for the portal app (h11, no access log, no global logging setup)."""
    app = CycleStash(create_app(folder, token, faults))
    config = uvicorn.Config(
        app,
        http="h11",  # the drop/truncate faults reach into the h11 request cycle
        lifespan="off",
        proxy_headers=False,  # keep uvicorn's own `send` visible to CycleStash
        access_log=False,
        log_config=None,
        log_level="warning",
        timeout_graceful_shutdown=1,
    )
    return uvicorn.Server(config)


@contextmanager
def serve_in_background(folder: Path, token: str, faults: str | None = None, port: int = 0) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 in a background thread; yields the base URL `http://127.0.0.1:<port>`.

    The server stops (and the port is released) when the block exits.
    """
    server = make_server(folder, token, faults)
    sock = bind_socket("127.0.0.1", port)
    actual_port = sock.getsockname()[1]
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"portal-{actual_port}", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the reference portal failed to start")
            if time.monotonic() > deadline:
                raise RuntimeError("the reference portal did not start within 20 s")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{actual_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
