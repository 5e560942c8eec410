"""The container suite without a container engine: what the image would run, run here.

`dockerfile()` parses the Dockerfile into stages (dockerfile-parse); `Container` runs the built
binary as the image would — the final stage's ENV, ENTRYPOINT and CMD, with the image's paths
(`/data`, `/certs`, `/etc/meetmock/scenarios`) mapped to directories here the way volumes and
COPY would provide them. The only other change: MEETMOCK_LISTEN keeps its address but takes a
free port (8080 may be held on a shared machine).
"""

import json
import os
import pathlib
import re
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from dockerfile_parse import DockerfileParser

ROOT = pathlib.Path(__file__).resolve().parents[2]
for _v in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_v, None)


def binary() -> pathlib.Path:
    if os.environ.get("MEETMOCK_BIN"):
        return pathlib.Path(os.environ["MEETMOCK_BIN"])
    return pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug" / "meetmock"


class Stage:
    def __init__(self, base, name):
        self.base, self.name, self.instructions = base, name, []

    def all(self, kind):
        return [i for i in self.instructions if i["instruction"] == kind]

    def last(self, kind):
        found = self.all(kind)
        return found[-1] if found else None

    def env(self):
        out = {}
        for i in self.all("ENV"):
            for k, v in re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', i["value"]):
                out[k] = json.loads(v) if v.startswith('"') else v
        return out

    def exec_form(self, kind):
        i = self.last(kind)
        return json.loads(i["value"]) if i else []


def dockerfile():
    """The Dockerfile's stages, in order."""
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    stages = []
    for ins in parser.structure:
        if ins["instruction"] == "FROM":
            words = ins["value"].split()
            stages.append(Stage(words[0], words[2] if len(words) > 2 and words[1].upper() == "AS" else None))
        elif stages:
            stages[-1].instructions.append(ins)
    return stages


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def non_loopback_address():
    """An address of this machine that is not loopback (None when it has none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))  # UDP connect: no packet is sent
            addr = s.getsockname()[0]
        except OSError:
            return None
    return None if addr.startswith("127.") else addr


def http(method, url, body=None, headers=None, timeout=10):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    for k, v in {"Content-Type": "application/json", **(headers or {})}.items():
        req.add_header(k, v)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


class Container:
    """The final stage run here: `env` is the image's ENV plus `extra` (compose/`-e`)."""

    def __init__(self, stage, root: pathlib.Path, extra=None, cmd=None):
        self.paths = {"/data": root / "data", "/certs": root / "certs",
                      "/etc/meetmock/scenarios": ROOT / "scenarios"}
        for p in ("/data", "/certs"):
            self.paths[p].mkdir(parents=True, exist_ok=True)
        env = {**stage.env(), **(extra or {})}
        host, _, _ = env["MEETMOCK_LISTEN"].rpartition(":")
        self.port = free_port("0.0.0.0" if host == "0.0.0.0" else "127.0.0.1")
        env["MEETMOCK_LISTEN"] = f"{host}:{self.port}"
        self.env = {k: self.map(v) for k, v in env.items()}
        entry = stage.exec_form("ENTRYPOINT")
        self.argv = [str(binary())] + entry[1:] + (cmd if cmd is not None else stage.exec_form("CMD"))
        assert entry[0] == "meetmock", f"ENTRYPOINT {entry}"
        self.log = root / "output.log"
        self.proc = subprocess.Popen(self.argv, env={**clean_env(), **self.env}, stdout=self.log.open("w"),
                                     stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"exited {self.proc.returncode}:\n{self.log.read_text()}")
            if "listening on" in self.log.read_text():
                return
            time.sleep(0.05)
        raise AssertionError(f"no banner:\n{self.log.read_text()}")

    def map(self, value: str) -> str:
        """Container paths in a value (`/certs/meetmock.pem`, comma lists) → the directories here."""
        for inside, here in self.paths.items():
            value = re.sub(re.escape(inside) + r"(?=/|,|$)", str(here), value)
        return value

    def run(self, argv_after_entrypoint, **kw):
        """`docker exec`-like: another meetmock command with the same environment."""
        return subprocess.run([str(binary()), *argv_after_entrypoint], env={**clean_env(), **self.env},
                              capture_output=True, text=True, timeout=30, **kw)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def clean_env():
    return {k: v for k, v in os.environ.items() if not k.startswith("MEETMOCK_") or k == "MEETMOCK_BIN"}


@pytest.fixture
def container(tmp_path):
    started = []

    def start(extra=None, cmd=None):
        c = Container(dockerfile()[-1], tmp_path, extra, cmd)
        started.append(c)
        return c

    yield start
    for c in started:
        c.stop(signal.SIGKILL)


__all__ = ["ROOT", "binary", "dockerfile", "http", "non_loopback_address", "shlex"]
