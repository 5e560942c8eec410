"""A tenant of one's own: fresh credentials, users and meetings per test, so tests can share one
server. The tenant is loaded as a scenario (`POST /__admin/scenarios`), so it survives a server
reset; `Tenant.reset()` reloads it alone. Every helper is scoped to it (journal, changes, faults,
invitee behaviours, meeting and user actions, events).

Templates mirror the demo tenants (README "Vendors") with ids made unique per tenant:
  feishu   app_id/app_secret; users host, guest1..3 (open ids); meetings `live` (in progress,
           host joined) and `reserve` (scheduled)
  dingtalk app_key/app_secret/corp_id; users host, alice, bob (union ids); meeting `live`
  tencent  app_id/sdk_id/secret_id/secret_key; users host, guest1..2, `unregistered`; meetings
           `scheduled` and `live`
  huawei   corp_id, account/password of the host, app_id/app_key; users host, alice; meetings
           `live` (chair password `chair_password`) and `scheduled`
"""

from __future__ import annotations

import copy
import secrets
from typing import Any, Callable, Dict, List, Optional

from .admin import Admin

VENDORS = ("feishu", "dingtalk", "tencent", "huawei")


def _digits(n: int, first: str = "") -> str:
    return first + "".join(secrets.choice("0123456789") for _ in range(n - len(first)))


def template(vendor: str, tag: str) -> dict:
    """The scenario entry of a fresh tenant (`tag`: 10 hex digits making its ids unique)."""
    if vendor == "feishu":
        guests = [f"ou_guest_{i}" for i in (1, 2, 3)]
        return {
            "vendor": "feishu", "id": f"cli_mm{tag}", "secret": f"secret_{tag}",
            "users": [{"id": "ou_host", "name": "Host", "aliases": {"union_id": "on_host", "user_id": "host"}}]
            + [{"id": g, "name": f"Guest {g[-1]}", "aliases": {"union_id": f"on_{g[3:]}", "user_id": g[3:]}}
               for g in guests],
            "meetings": [
                {"id": _digits(19, "7"), "topic": "Live", "host": "ou_host", "state": "in_progress"},
                {"id": _digits(19, "69"), "topic": "Reserve", "host": "ou_host", "state": "scheduled"},
            ],
        }
    if vendor == "dingtalk":
        return {
            "vendor": "dingtalk", "id": f"dingmm{tag}", "secret": f"secret-{tag}",
            "credentials": {"corp_id": f"dingmmcorp{tag}"},
            "users": [
                {"id": "host-union", "name": "Host", "aliases": {"userId": "host"}},
                {"id": "union-alice", "name": "Alice", "aliases": {"userId": "alice"}},
                {"id": "union-bob", "name": "Bob", "aliases": {"userId": "bob"}},
            ],
            "meetings": [{"id": secrets.token_hex(12), "topic": "Live", "host": "host-union",
                          "state": "in_progress"}],
        }
    if vendor == "tencent":
        return {
            "vendor": "tencent", "id": _digits(9, "3"), "secret": f"mmSecretKey{tag}",
            "credentials": {"secret_id": f"AKIDmm{tag}", "sdk_id": _digits(11, "4")},
            "users": [{"id": "host", "name": "Host"}, {"id": "guest1", "name": "Guest 1"},
                      {"id": "guest2", "name": "Guest 2"},
                      {"id": "unregistered", "name": "Not activated", "registered": False}],
            "meetings": [
                {"id": _digits(19, "5"), "topic": "Scheduled", "host": "host", "creator": "host",
                 "state": "scheduled"},
                {"id": _digits(19, "5"), "topic": "Live", "host": "host", "creator": "host",
                 "state": "in_progress"},
            ],
        }
    if vendor == "huawei":
        corp = f"hwmm{tag}"
        return {
            "vendor": "huawei", "id": corp, "secret": f"HwKey{tag}{tag}",
            "credentials": {"app_id": f"hwmmapp{tag}"},
            "users": [
                {"id": f"host@{corp}", "name": "Host", "phone": "+86" + _digits(11, "138"),
                 "password": "Host@Passw0rd"},
                {"id": f"alice@{corp}", "name": "Alice", "phone": "+86" + _digits(11, "139"),
                 "password": "Alice@Passw0rd"},
            ],
            "meetings": [
                {"id": _digits(9, "8"), "topic": "Live", "host": f"host@{corp}", "state": "in_progress",
                 "extra": {"chairPassword": _digits(6), "guestPassword": _digits(6),
                           "mediaTypes": "Voice,Video", "confType": "FUTURE"}},
                {"id": _digits(9, "8"), "topic": "Scheduled", "host": f"host@{corp}", "state": "scheduled",
                 "start_time": 1893484800, "end_time": 1893488400,
                 "extra": {"chairPassword": _digits(6), "guestPassword": _digits(6),
                           "mediaTypes": "Voice,Video", "confType": "FUTURE"}},
            ],
        }
    raise ValueError(f"unknown vendor {vendor!r}; one of {', '.join(VENDORS)}")


_MEETING_NAMES = {"feishu": ("live", "reserve"), "dingtalk": ("live",),
                  "tencent": ("scheduled", "live"), "huawei": ("live", "scheduled")}


class Tenant:
    """One vendor tenant of a test, with helpers scoped to it."""

    def __init__(self, admin: Admin, spec: dict, on_fault: Optional[Callable[[str], None]] = None):
        self.admin = admin
        self.spec = spec
        self.vendor: str = spec["vendor"]
        self.id: str = spec["id"]
        self.secret: str = spec["secret"]
        self._on_fault = on_fault
        self._faults = 0
        users = [u["id"] for u in spec.get("users", [])]
        #: user ids by role: `host`, then the others (`guests` lists them in order)
        self.users: Dict[str, str] = {"host": users[0]} if users else {}
        for u in users[1:]:
            self.users[u.split("@")[0].replace("union-", "").replace("ou_", "")] = u
        self.guests: List[str] = users[1:]
        names = _MEETING_NAMES.get(self.vendor, ())
        #: meeting ids by name (see the module doc)
        self.meetings: Dict[str, str] = {
            names[i] if i < len(names) else f"meeting{i}": m["id"] for i, m in enumerate(spec.get("meetings", []))}
        self.credentials = self._credentials()

    @classmethod
    def create(cls, admin: Admin, vendor: str, *, users: Optional[list] = None, meetings: Optional[list] = None,
               behaviours: Optional[list] = None, extra: Optional[dict] = None,
               on_fault: Optional[Callable[[str], None]] = None, **fields: Any) -> "Tenant":
        """Loads a fresh tenant of `vendor`; `users`, `meetings`, `behaviours` replace the
        template's lists, other keywords (`credentials`, `events`, …) are scenario fields."""
        spec = template(vendor, secrets.token_hex(5))
        if users is not None:
            spec["users"] = users
        if meetings is not None:
            spec["meetings"] = meetings
        if behaviours is not None:
            spec["behaviours"] = behaviours
        if extra is not None:
            spec["extra"] = extra
        spec.update(fields)
        tenant = cls(admin, spec, on_fault)
        tenant._load()
        return tenant

    def _load(self) -> None:
        name = f"tenant-{self.vendor}-{self.id}"
        self.admin.load_scenario(data={"name": name, "tenants": [copy.deepcopy(self.spec)]}, name=name)

    def _credentials(self) -> Dict[str, str]:
        s, c = self.spec, self.spec.get("credentials", {})
        if self.vendor == "feishu":
            return {"app_id": s["id"], "app_secret": s["secret"]}
        if self.vendor == "dingtalk":
            return {"app_key": s["id"], "app_secret": s["secret"], "corp_id": c.get("corp_id", "")}
        if self.vendor == "tencent":
            return {"app_id": s["id"], "sdk_id": c.get("sdk_id", ""), "secret_id": c.get("secret_id", ""),
                    "secret_key": s["secret"]}
        host = next((u for u in s.get("users", []) if u.get("password")), {})
        return {"corp_id": s["id"], "account": host.get("id", ""), "password": host.get("password", ""),
                "app_id": c.get("app_id", ""), "app_key": s["secret"]}

    def __repr__(self) -> str:
        return f"Tenant({self.vendor}/{self.id})"

    @property
    def scope(self) -> Dict[str, str]:
        return {"vendor": self.vendor, "tenant": self.id}

    def reset(self) -> None:
        """This tenant back to its declared users and meetings (other tenants untouched)."""
        self._load()

    # ---- journal, changes, events ---------------------------------------------------------

    def requests(self, limit: int = 100, **filters: Any) -> list:
        return self.admin.requests(limit=limit, **self.scope, **filters)

    def count(self, **filters: Any) -> int:
        return self.admin.count(**self.scope, **filters)

    def assert_count(self, expected: int, **filters: Any) -> list:
        return self.admin.assert_count(expected, **self.scope, **filters)

    def assert_called(self, times: Optional[int] = None, **filters: Any) -> list:
        return self.admin.assert_called(times, **self.scope, **filters)

    def assert_not_called(self, **filters: Any) -> None:
        self.admin.assert_not_called(**self.scope, **filters)

    def changes(self, **filters: Any) -> list:
        return self.admin.changes(**self.scope, **filters)

    def subscribe(self, url: str, **fields: Any) -> dict:
        """An event subscription of this tenant (the vendor's secret fields by their names)."""
        return self.admin.add_subscription(url=url, **self.scope, **fields)

    def subscriptions(self) -> list:
        return self.admin.subscriptions(**self.scope)

    def events(self, **filters: Any) -> list:
        return self.admin.events(**self.scope, **filters)

    def event_count(self, **filters: Any) -> int:
        return self.admin.event_count(**self.scope, **filters)

    # ---- meetings, users, behaviours --------------------------------------------------------

    def meeting(self, meeting_id: str) -> dict:
        return self.admin.meeting(self.meetings.get(meeting_id, meeting_id), **self.scope)

    def meeting_list(self, **filters: Any) -> list:
        return self.admin.meetings(**self.scope, **filters)

    def act(self, meeting_id: str, action: str, **body: Any) -> dict:
        """A meeting action (`start`, `call`, `accept`, `lock`, …); `meeting_id` may be a name
        of `meetings` (`"live"`)."""
        return self.admin.meeting_action(self.meetings.get(meeting_id, meeting_id), action, **self.scope, **body)

    def user_action(self, user: str, action: str, **body: Any) -> dict:
        return self.admin.user_action(self.users.get(user, user), action, **self.scope, **body)

    def add_users(self, *users: dict) -> dict:
        return self.admin.add_users(self.vendor, self.id, users)

    def behave(self, *declarations: dict, **one: Any) -> dict:
        """Declares how this tenant's invitees answer (`outcome=`, `ring=`, `user=`, …)."""
        if declarations:
            return self.admin.set_behaviours(*({**self.scope, **d} for d in declarations))
        return self.admin.set_behaviours(**self.scope, **one)

    def behaviours(self) -> dict:
        return self.admin.behaviours(**self.scope)

    def pending(self, **filters: Any) -> dict:
        return self.admin.pending(**self.scope, **filters)

    def login_code(self, user: Optional[str] = None, **extra: Any) -> str:
        """A Feishu login code for `user` (default: the host), for the SDK's OAuth exchange."""
        if self.vendor != "feishu":
            raise ValueError("login codes are Feishu's (OAuth)")
        return self.admin.login_code(self.id, self.users.get(user or "host", user), **extra)

    # ---- faults ----------------------------------------------------------------------------

    def add_fault(self, rule: Optional[dict] = None, **fields: Any) -> str:
        """A fault rule limited to this tenant (its `match` gets vendor and tenant); named
        `<tenant>-<n>` unless it has a name. Returns the name; the test's cleanup removes it."""
        rule = copy.deepcopy(rule if rule is not None else fields)
        rule["match"] = {**rule.get("match", {}), **self.scope}
        self._faults += 1
        rule.setdefault("name", f"{self.id}-{self._faults}")
        name = self.admin.add_fault(rule)
        if self._on_fault:
            self._on_fault(name)
        return name
