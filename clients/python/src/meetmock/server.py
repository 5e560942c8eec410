"""A meetmock server for tests: the binary started on a free loopback port (HTTP and HTTPS on
that port, its certificate written to a temporary file), or a running server attached by URL.

The binary is the `binary` argument, else `$MEETMOCK_BIN`, else `meetmock` on `PATH`, else
`target/debug/meetmock` (then `target/release/`) under the current directory or a parent.
Attaching takes `$MEETMOCK_URL`, `$MEETMOCK_ADMIN_TOKEN` and `$MEETMOCK_CERT`.
"""

from __future__ import annotations

import collections
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import threading
import time
from typing import Iterable, Optional, Sequence
from urllib.parse import urlparse

from .admin import Admin

# `listening on http://127.0.0.1:PORT` in the text banner; `"http://127.0.0.1:PORT"` in JSON lines.
_BANNER = re.compile(r"listening on (http://[^\s\"',]+)|\"(?:listen|addr|url)\"\s*:\s*\"(http://[^\"]+)\"")


def find_binary(binary: Optional[str] = None) -> pathlib.Path:
    """Where the meetmock binary is (see the module doc); FileNotFoundError says how to get one."""
    for candidate in (binary, os.environ.get("MEETMOCK_BIN"), shutil.which("meetmock")):
        if candidate:
            return pathlib.Path(candidate)
    here = pathlib.Path.cwd().resolve()
    for d in (here, *here.parents):
        for profile in ("debug", "release"):
            p = d / "target" / profile / "meetmock"
            if p.is_file():
                return p
    raise FileNotFoundError(
        "meetmock binary not found: set MEETMOCK_BIN, put meetmock on PATH, or build it "
        "(cargo build) — or attach to a running server with MEETMOCK_URL")


class MeetmockServer:
    """A server to point SDKs at: `url` (http), `https_url` (same port), `cert_path`, `admin`."""

    def __init__(self, url: str, *, admin_token: Optional[str] = None, cert_path: Optional[str] = None,
                 process: Optional[subprocess.Popen] = None, workdir: Optional[str] = None):
        u = urlparse(url)
        self.url = f"{u.scheme}://{u.netloc}"
        self.port = u.port or 80
        self.host = u.netloc
        self.https_url = f"https://{u.netloc}"
        self.cert_path = cert_path
        self.admin = Admin(self.url, admin_token)
        self.process = process
        self._workdir = workdir
        #: the last lines the server printed (started servers only)
        self.output: collections.deque = collections.deque(maxlen=200)

    @classmethod
    def start(cls, binary: Optional[str] = None, args: Sequence[str] = (), *,
              admin_token: Optional[str] = None, timeout: float = 30.0,
              env: Optional[dict] = None) -> "MeetmockServer":
        """Starts `meetmock serve --listen 127.0.0.1:0 --write-cert … ARGS` and waits for its banner."""
        path = find_binary(binary)
        workdir = tempfile.mkdtemp(prefix="meetmock-py-")
        cert = os.path.join(workdir, "cert.pem")
        cmd = [str(path), "serve", "--listen", "127.0.0.1:0", "--write-cert", cert, *args]
        if admin_token:
            cmd += ["--admin-token", admin_token]
        run_env = {**os.environ, **(env or {}), "NO_COLOR": "1"}
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=run_env)
        seen: list = []
        url = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            m = _BANNER.search(line)
            if m:
                url = m.group(1) or m.group(2)
                break
        if url is None:
            proc.kill()
            proc.wait()
            shutil.rmtree(workdir, ignore_errors=True)
            raise RuntimeError(f"meetmock did not start ({' '.join(cmd)}):\n" + "".join(seen))
        server = cls(url, admin_token=admin_token, cert_path=cert, process=proc, workdir=workdir)
        server.output.extend(seen)
        # Keep reading so the server never blocks on a full pipe.
        threading.Thread(target=lambda: [server.output.append(x) for x in proc.stdout], daemon=True).start()
        return server

    @classmethod
    def attach(cls, url: Optional[str] = None, *, admin_token: Optional[str] = None,
               cert_path: Optional[str] = None) -> "MeetmockServer":
        """A running server (`url`, else `$MEETMOCK_URL`); nothing is started or stopped."""
        url = url or os.environ.get("MEETMOCK_URL")
        if not url:
            raise ValueError("no URL: pass one or set MEETMOCK_URL")
        return cls(url, admin_token=admin_token or os.environ.get("MEETMOCK_ADMIN_TOKEN"),
                   cert_path=cert_path or os.environ.get("MEETMOCK_CERT"))

    @classmethod
    def from_env(cls, binary: Optional[str] = None, args: Iterable[str] = (), **kw) -> "MeetmockServer":
        """Attaches to `$MEETMOCK_URL` when set, else starts the binary."""
        if os.environ.get("MEETMOCK_URL"):
            return cls.attach()
        return cls.start(binary, list(args), **kw)

    @property
    def started(self) -> bool:
        """True when this object started the process (and `stop` ends it)."""
        return self.process is not None

    def stop(self) -> Optional[int]:
        """Ends a started server (SIGTERM, then SIGKILL after 10 s); its exit code."""
        code = None
        if self.process is not None:
            self.process.terminate()
            try:
                code = self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                code = self.process.wait()
            self.process = None
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        return code

    def __enter__(self) -> "MeetmockServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"MeetmockServer({self.url}{', started' if self.started else ', attached'})"
