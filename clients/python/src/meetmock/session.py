"""`Meetmock`: what one test holds — the server, its admin API, tenants of its own — and the
cleanup after it: the fault rules it added are removed and a clock it froze runs again, so the
next test on a shared server starts clean. Tenants stay (they are the test's own credentials and
nobody else uses them).
"""

from __future__ import annotations

from typing import Any, List

from .admin import AdminError
from .server import MeetmockServer
from .tenant import Tenant


class Meetmock:
    """The admin API of `server` (every `Admin` method is available here) plus tenants."""

    def __init__(self, server: MeetmockServer):
        self.server = server
        self.admin = server.admin
        #: the tenants this test made (`tenants()` is the server's list)
        self.created: List[Tenant] = []
        self._faults: List[str] = []
        self._froze = False

    # SDK-facing facts of the server.
    url = property(lambda self: self.server.url)
    https_url = property(lambda self: self.server.https_url)
    host = property(lambda self: self.server.host)
    port = property(lambda self: self.server.port)
    cert_path = property(lambda self: self.server.cert_path)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.admin, name)

    def tenant(self, vendor: str, **fields: Any) -> Tenant:
        """A fresh tenant of `vendor` for this test (see `meetmock.tenant`)."""
        t = Tenant.create(self.admin, vendor, on_fault=self._faults.append, **fields)
        self.created.append(t)
        return t

    def add_fault(self, rule: Any = None, **fields: Any) -> str:
        name = self.admin.add_fault(rule, **fields)
        self._faults.append(name)
        return name

    def add_faults(self, *rules: dict) -> list:
        names = self.admin.add_faults(*rules)
        self._faults.extend(names)
        return names

    def freeze(self, at_ms: Any = None) -> dict:
        self._froze = True
        return self.admin.freeze(at_ms)

    def cleanup(self) -> None:
        """Removes the fault rules this test added and lets a clock it froze run again."""
        for name in reversed(self._faults):
            try:
                self.admin.remove_fault(name)
            except AdminError as e:
                if e.status != 404:  # already removed (or reset away) is fine
                    raise
        self._faults.clear()
        if self._froze:
            self.admin.unfreeze()
            self._froze = False
