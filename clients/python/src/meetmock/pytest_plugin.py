"""The pytest plugin (registered by the package's `pytest11` entry point).

Fixtures:
  meetmock_server   session: the binary started on a free port (`--meetmock-bin`,
                    `$MEETMOCK_BIN`, PATH, target/debug) or a running server attached with
                    `--meetmock-url` / `$MEETMOCK_URL`; extra `serve` flags with `--meetmock-arg`
  meetmock          per test: a `Meetmock` — the admin API, `tenant(vendor)`, cleanup after
  feishu_tenant, dingtalk_tenant, tencent_tenant, huawei_tenant
                    per test: a fresh tenant of that vendor
"""

from __future__ import annotations

import os

import pytest

from .server import MeetmockServer
from .session import Meetmock


def pytest_addoption(parser):
    group = parser.getgroup("meetmock")
    group.addoption("--meetmock-bin", default=None, help="the meetmock binary to start")
    group.addoption("--meetmock-url", default=None,
                    help="attach to this running meetmock instead of starting one (also $MEETMOCK_URL)")
    group.addoption("--meetmock-arg", action="append", default=[],
                    help="an extra `meetmock serve` argument (repeatable)")


@pytest.fixture(scope="session")
def meetmock_server(request):
    url = request.config.getoption("--meetmock-url") or os.environ.get("MEETMOCK_URL")
    if url:
        yield MeetmockServer.attach(url)
        return
    server = MeetmockServer.start(request.config.getoption("--meetmock-bin"),
                                  request.config.getoption("--meetmock-arg"))
    yield server
    server.stop()


@pytest.fixture
def meetmock(meetmock_server):
    mm = Meetmock(meetmock_server)
    yield mm
    mm.cleanup()


@pytest.fixture
def feishu_tenant(meetmock):
    return meetmock.tenant("feishu")


@pytest.fixture
def dingtalk_tenant(meetmock):
    return meetmock.tenant("dingtalk")


@pytest.fixture
def tencent_tenant(meetmock):
    return meetmock.tenant("tencent")


@pytest.fixture
def huawei_tenant(meetmock):
    return meetmock.tenant("huawei")
