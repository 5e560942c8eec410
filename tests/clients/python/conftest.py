"""Shared fixtures for the official-SDK suites: one meetmock binary per test session.

The binary is `$MEETMOCK_BIN`, else `$CARGO_TARGET_DIR/debug/meetmock`, else
`target/debug/meetmock`. It listens on a free loopback port (HTTP and HTTPS on the same port),
loads the embedded demo scenario, and writes its certificate so TLS clients can trust it.
Proxy variables are removed: the DingTalk SDK ignores NO_PROXY.
"""

import json
import os
import pathlib
import re
import subprocess
import tempfile
import time
import urllib.request

import pytest

for _var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_var, None)

ROOT = pathlib.Path(__file__).resolve().parents[3]


def _binary() -> pathlib.Path:
    if os.environ.get("MEETMOCK_BIN"):
        return pathlib.Path(os.environ["MEETMOCK_BIN"])
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "meetmock"


class Server:
    """A running meetmock and helpers for its admin API."""

    def __init__(self, proc, port, cert_path):
        self.proc = proc
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.base = f"http://127.0.0.1:{port}"
        self.https_base = f"https://127.0.0.1:{port}"
        self.cert_path = cert_path

    def admin(self, method, path, body=None):
        """Calls /__admin{path}; returns (status, parsed JSON)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + "/__admin" + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def admin_ok(self, method, path, body=None):
        status, data = self.admin(method, path, body)
        assert status == 200, f"admin {method} {path}: {status} {data}"
        return data

    def reset(self):
        self.admin_ok("POST", "/reset")

    def count(self, **filters):
        q = "&".join(f"{k}={v}" for k, v in filters.items())
        return self.admin_ok("GET", f"/requests/count?{q}")["count"]


@pytest.fixture(scope="session")
def server():
    binary = _binary()
    if not binary.exists():
        pytest.fail(f"meetmock binary not found at {binary}: build it first (cargo build)")
    cert = tempfile.NamedTemporaryFile(prefix="meetmock-", suffix=".pem", delete=False)
    cert.close()
    proc = subprocess.Popen(
        [str(binary), "serve", "--listen", "127.0.0.1:0", "--write-cert", cert.name],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    port = None
    deadline = time.time() + 20
    lines = []
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        proc.kill()
        pytest.fail("meetmock did not start:\n" + "".join(lines))
    # Keep draining output so the server never blocks on a full pipe.
    import threading

    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    srv = Server(proc, port, cert.name)
    yield srv
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    os.unlink(cert.name)


@pytest.fixture
def fresh(server):
    """The server reset to the demo scenario before the test."""
    server.reset()
    return server
