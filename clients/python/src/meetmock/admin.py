"""The meetmock admin API (`/__admin/…`), one method per endpoint, over the standard library.

Every call sends `Content-Type: application/json` (the server refuses other changes as CSRF)
and `Authorization: Bearer <token>` when the server was started with `--admin-token`. A refusal
raises `AdminError` with the server's status and message. README.md, "Admin API", documents
each endpoint; `journal.py` adds the count assertions, `tenant.py` the per-test tenants.
"""

from __future__ import annotations

import json
import pathlib
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Iterable, Mapping, Optional, Union

from .journal import JournalMixin


class AdminError(Exception):
    """An admin call answered with an error status."""

    def __init__(self, method: str, path: str, status: int, body: Any):
        self.method, self.path, self.status, self.body = method, path, status, body
        message = body.get("message", body) if isinstance(body, dict) else body
        self.message = message
        super().__init__(f"{method} /__admin{path} → {status}: {message}")


def _query(filters: Mapping[str, Any]) -> str:
    items = []
    for k, v in filters.items():
        if v is None:
            continue
        if isinstance(v, (list, tuple, set)):
            v = ",".join(str(x) for x in v)
        elif isinstance(v, bool):
            v = "true" if v else "false"
        items.append((k, str(v)))
    return ("?" + urllib.parse.urlencode(items)) if items else ""


class Admin(JournalMixin):
    """A client of one server's admin API."""

    def __init__(self, base_url: str, token: Optional[str] = None, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    # ---- transport -------------------------------------------------------------------------

    def call(self, method: str, path: str, body: Any = None, *, content_type: str = "application/json",
             raw: Optional[bytes] = None) -> Any:
        """`method /__admin{path}` with a JSON body (or `raw` bytes); the parsed JSON answer."""
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        if data is None and method not in ("GET", "HEAD"):
            data = b"{}"
        req = urllib.request.Request(self.base_url + "/__admin" + path, data=data, method=method)
        req.add_header("Content-Type", content_type)
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=self.timeout) as r:
                text = r.read()
        except urllib.error.HTTPError as e:
            text = e.read()
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = text.decode(errors="replace")
            raise AdminError(method, path, e.code, parsed) from None
        return json.loads(text) if text else {}

    # ---- server ----------------------------------------------------------------------------

    def health(self) -> dict:
        return self.call("GET", "/health")

    def routes(self) -> list:
        return self.call("GET", "/routes")["routes"]

    def reset(self) -> dict:
        """Everything back to the loaded scenarios (every tenant: not for a shared server)."""
        return self.call("POST", "/reset")

    def state(self) -> dict:
        return self.call("GET", "/state")

    def import_state(self, state: dict) -> dict:
        return self.call("PUT", "/state", state)

    def save_state(self) -> dict:
        return self.call("POST", "/state/save")

    # ---- scenarios -------------------------------------------------------------------------

    def load_scenario(self, source: Union[str, pathlib.Path, dict, None] = None, *,
                      text: Optional[str] = None, path: Union[str, pathlib.Path, None] = None,
                      library: Optional[str] = None, data: Optional[dict] = None,
                      name: Optional[str] = None) -> dict:
        """Loads one more scenario: a file `path`, a `library` name (`feishu-meeting-locked`, with
        or without `.yaml`), YAML `text` or a `data` dict. A positional `source` is taken as a
        dict, an existing path, a library name (one word) or YAML text, in that order."""
        if source is not None:
            if isinstance(source, dict):
                data = source
            elif isinstance(source, pathlib.Path) or (
                    "\n" not in source and pathlib.Path(source).is_file()):
                path = source
            elif "\n" not in source and ":" not in source:
                library = source
            else:
                text = source
        if library is not None:
            file = library if library.endswith((".yaml", ".yml")) else library + ".yaml"
            return self.call("POST", f"/scenarios/library/{urllib.parse.quote(file)}")
        if path is not None:
            p = pathlib.Path(path)
            text, name = p.read_text(), name or p.name
        q = _query({"name": name})
        if data is not None:
            return self.call("POST", f"/scenarios{q}", data)
        if text is None:
            raise ValueError("give a path, a library name, YAML text or a dict")
        return self.call("POST", f"/scenarios{q}", raw=text.encode(), content_type="application/yaml")

    def scenarios(self) -> list:
        return self.call("GET", "/scenarios")["scenarios"]

    def library(self) -> list:
        return self.call("GET", "/scenarios/library")["library"]

    # ---- clock -----------------------------------------------------------------------------

    def clock(self) -> dict:
        return self.call("GET", "/clock")

    def advance(self, seconds: Optional[float] = None, *, ms: Optional[int] = None) -> dict:
        """Moves the server clock forward; invitee steps that fall due happen before it answers."""
        if (seconds is None) == (ms is None):
            raise ValueError("give exactly one of seconds or ms")
        return self.call("POST", "/clock/advance", {"ms": ms} if ms is not None else {"seconds": seconds})

    def freeze(self, at_ms: Optional[int] = None) -> dict:
        return self.call("POST", "/clock/freeze", {} if at_ms is None else {"at_ms": at_ms})

    def unfreeze(self) -> dict:
        return self.call("POST", "/clock/unfreeze")

    # ---- meetings, users, tenants, tokens ----------------------------------------------------

    def meetings(self, **filters: Any) -> list:
        """`vendor=`, `tenant=`, `state=`."""
        return self.call("GET", "/meetings" + _query(filters))["meetings"]

    def meeting(self, meeting_id: str, **scope: Any) -> dict:
        """One meeting in full (participants, invitees, vendor extras)."""
        return self.call("GET", f"/meetings/{urllib.parse.quote(str(meeting_id))}" + _query(scope))["meeting"]

    def meeting_action(self, meeting_id: str, action: str, **body: Any) -> dict:
        """`start`, `end`, `cancel`, `lock`, `unlock`, `capacity`, `fill`, `call`, `join`,
        `accept`, `ring`, `decline`, `miss`, `busy`, `leave`, `host-leaves`, `set-host`; pass
        `vendor=`/`tenant=` to narrow, and the action's own fields (`user=`, …)."""
        mid = urllib.parse.quote(str(meeting_id))
        return self.call("POST", f"/meetings/{mid}/{action}", {k: v for k, v in body.items() if v is not None})

    def user_action(self, user_id: str, action: str, **body: Any) -> dict:
        """`busy` (`busy=False` clears), `free`, `unregistered`, `registered`."""
        uid = urllib.parse.quote(str(user_id))
        return self.call("POST", f"/users/{uid}/{action}", {k: v for k, v in body.items() if v is not None})

    def tenants(self) -> list:
        return self.call("GET", "/tenants")["tenants"]

    def add_users(self, vendor: str, tenant: str, users: Iterable[dict]) -> dict:
        return self.call("POST", f"/tenants/{vendor}/{urllib.parse.quote(tenant)}/users", {"users": list(users)})

    def set_strict(self, strict: bool, vendor: Optional[str] = None) -> dict:
        body: dict = {"strict": strict}
        if vendor:
            body["vendor"] = vendor
        return self.call("PUT", "/tenants/strict", body)

    def expire_token(self, token: str) -> dict:
        return self.call("POST", "/tokens/expire", {"token": token})

    def vendor_action(self, vendor: str, action: str, **body: Any) -> dict:
        return self.call("POST", f"/vendors/{vendor}/{action}", body)

    def login_code(self, app_id: str, user: str, **extra: Any) -> str:
        """A Feishu login code for `user` of app `app_id` (exchange it with the SDK's OAuth)."""
        return self.vendor_action("feishu", "login_code", app_id=app_id, user=user, **extra)["code"]

    # ---- changes, behaviours ---------------------------------------------------------------

    def changes(self, **filters: Any) -> list:
        """The change stream, oldest first: `since=`, `vendor=`, `tenant=`, `meeting=`,
        `type=` (a name or a list), `limit=`."""
        return self.call("GET", "/changes" + _query(filters))["changes"]

    def behaviours(self, **scope: Any) -> dict:
        return self.call("GET", "/behaviours" + _query(scope))

    def set_behaviours(self, *declarations: dict, **one: Any) -> dict:
        """Declares how invitees answer: one declaration as keywords, or several dicts."""
        body = {"behaviours": list(declarations)} if declarations else one
        return self.call("PUT", "/behaviours", body)

    def delete_behaviours(self, **scope: Any) -> dict:
        return self.call("DELETE", "/behaviours" + _query(scope))

    def pending(self, **filters: Any) -> dict:
        return self.call("GET", "/behaviours/pending" + _query(filters))

    # ---- faults ----------------------------------------------------------------------------

    def faults(self) -> list:
        return self.call("GET", "/faults")["faults"]

    def add_faults(self, *rules: dict) -> list:
        """Adds rules (validated whole: one bad rule adds none); their names."""
        return self.call("POST", "/faults", {"faults": list(rules)})["added"]

    def add_fault(self, rule: Optional[dict] = None, **fields: Any) -> str:
        """Adds one rule, as a dict or keywords (`match=`, `when=`, `error=`, `delay=`, …)."""
        return self.add_faults(rule if rule is not None else fields)[0]

    def remove_fault(self, name: str) -> dict:
        return self.call("DELETE", f"/faults/{urllib.parse.quote(name)}")

    def clear_faults(self) -> dict:
        return self.call("DELETE", "/faults")

    def enable_fault(self, name: str) -> dict:
        return self.call("POST", f"/faults/{urllib.parse.quote(name)}/enable")

    def disable_fault(self, name: str) -> dict:
        return self.call("POST", f"/faults/{urllib.parse.quote(name)}/disable")

    # ---- event subscriptions and deliveries (README "Events") -------------------------------

    def subscriptions(self, **scope: Any) -> list:
        return self.call("GET", "/subscriptions" + _query(scope))["subscriptions"]

    def subscription(self, sub_id: str) -> dict:
        return self.call("GET", f"/subscriptions/{urllib.parse.quote(sub_id)}")

    def add_subscription(self, **spec: Any) -> dict:
        """`vendor=`, `tenant=`, `url=` and the vendor's secret fields (Feishu
        `verification_token=`, `encrypt_key=`), `types=`, `paused=`, `ca_pem=`, `verify=`…;
        runs the vendor's URL handshake unless `verify=False`."""
        return self.call("POST", "/subscriptions", spec)

    def replace_subscription(self, sub_id: str, **spec: Any) -> dict:
        return self.call("PUT", f"/subscriptions/{urllib.parse.quote(sub_id)}", spec)

    def remove_subscription(self, sub_id: str) -> dict:
        return self.call("DELETE", f"/subscriptions/{urllib.parse.quote(sub_id)}")

    def subscription_action(self, sub_id: str, action: str) -> dict:
        """`pause`, `resume` or `verify`."""
        return self.call("POST", f"/subscriptions/{urllib.parse.quote(sub_id)}/{action}")

    def events(self, **filters: Any) -> list:
        """Deliveries, newest first: `vendor=`, `tenant=`, `meeting=`, `type=`, `status=`,
        `subscription=`, `event_id=`, `limit=`."""
        return self.call("GET", "/events" + _query(filters))["events"]

    def event_count(self, **filters: Any) -> int:
        return self.call("GET", "/events/count" + _query(filters))["count"]

    def event(self, delivery_id: str) -> dict:
        return self.call("GET", f"/events/{urllib.parse.quote(delivery_id)}")

    def redeliver(self, delivery_id: str) -> dict:
        return self.call("POST", f"/events/{urllib.parse.quote(delivery_id)}/redeliver")
