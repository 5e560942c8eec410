"""Feishu events over the long connection, received by lark-oapi's own `lark.ws.Client`
(notes: shared/vendors/feishu-events.md §3): the SDK discovers the endpoint at meetmock, opens
the WebSocket, pings, receives the meeting's events as pbbp2 frames, hands them to its
dispatcher as typed `P2VcMeeting…V1` models and acknowledges them — and meetmock records every
delivery as acknowledged. The meeting is driven through the SDK and the demo's living invite
(the clock is advanced); a dropped connection is re-established by the SDK itself.
"""

import json
import os
import queue
import subprocess
import sys
import threading
import time

import pytest

from test_feishu import APP_ID, APP_SECRET, client_for
from test_feishu_events import EXPECTED, GUEST, check_delivered, run_meeting

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "feishu_ws_app.py")


class WsApp:
    """lark.ws.Client in a child process; its callbacks' events arrive on a queue."""

    def __init__(self, server):
        self.proc = subprocess.Popen(
            [sys.executable, APP, server.base, APP_ID, APP_SECRET],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.events = queue.Queue()
        self.log = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            if line.startswith("EVENT "):
                self.events.put(json.loads(line[6:]))
            else:
                self.log.append(line)

    def take(self, n, timeout=20):
        out = []
        deadline = time.time() + timeout
        while len(out) < n:
            left = deadline - time.time()
            assert left > 0, f"got {[e['event_type'] for e in out]}; SDK log: {''.join(self.log[-20:])}"
            try:
                out.append(self.events.get(timeout=left))
            except queue.Empty:
                pass
        return out

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=10)


def connections(server):
    return server.admin_ok("GET", f"/connections?vendor=feishu&tenant={APP_ID}")["connections"]


def wait_connected(server, ws, other_than=None, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        live = [c for c in connections(server) if c["id"] != other_than]
        if live:
            return live[0]
        time.sleep(0.05)
    pytest.fail("the SDK never connected: " + "".join(ws.log[-20:]))


@pytest.fixture
def ws_app(fresh):
    # No reconnect jitter (the live service says 30 s), so a dropped connection comes back at once.
    fresh.admin_ok("POST", "/vendors/feishu/app",
                   {"app_id": APP_ID, "ws_client_config": {"ReconnectNonce": 0, "ReconnectInterval": 1}})
    ws = WsApp(fresh)
    yield ws
    ws.stop()


def subscribe(server):
    return server.admin_ok("POST", "/subscriptions",
                           {"vendor": "feishu", "tenant": APP_ID, "mode": "long_connection"})


def test_the_sdk_ws_client_receives_the_meetings_typed_events_and_acks_them(fresh, ws_app):
    conn = wait_connected(fresh, ws_app)
    assert conn["target"].startswith("/ws/v2?") and "ticket=***" in conn["target"]
    sub = subscribe(fresh)
    assert sub["verification"]["state"] == "verified", sub
    mid = run_meeting(fresh, client_for(fresh))
    events = ws_app.take(len(EXPECTED))
    assert [(e["class"], e["event_type"]) for e in events] == [(c.__name__, t) for c, t in EXPECTED]
    assert all(e["meeting_id"] == mid and e["app_id"] == APP_ID for e in events)
    leaves = [(e["leave_user"], e["leave_reason"]) for e in events if e["event_type"].endswith("leave_meeting_v1")]
    assert leaves[0] == (GUEST, 1)
    check_delivered(fresh, len(EXPECTED))
    d = fresh.admin_ok("GET", "/events?limit=1")["events"][0]
    attempt = d["attempts"][0]
    assert attempt["status"] == 200 and attempt["ok"], attempt
    assert json.loads(attempt["response"]) == {"code": 200}, "the SDK's own ACK"
    # The SDK pings right after connecting and gets its pong.
    assert connections(fresh)[0]["messages_in"] > len(EXPECTED)


def test_a_dropped_connection_is_re_established_by_the_sdk_and_events_flow_again(fresh, ws_app):
    first = wait_connected(fresh, ws_app)
    assert subscribe(fresh)["verification"]["state"] == "verified"
    fresh.admin_ok("DELETE", f"/connections/{first['id']}")
    second = wait_connected(fresh, ws_app, other_than=first["id"])
    assert second["label"] != first["label"], "a new endpoint, a new device id"
    assert fresh.count(operation="callback.ws.endpoint") >= 2
    fresh.admin_ok("POST", "/meetings/7000000000000000028/join", {"vendor": "feishu", "user": GUEST})
    (e,) = ws_app.take(1)
    assert (e["class"], e["operator"]) == ("P2VcMeetingJoinMeetingV1", GUEST)
    check_delivered(fresh, 1)
