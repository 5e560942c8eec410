"""DingTalk Stream mode consumed by the official `dingtalk-stream` SDK (PyPI, pinned): an app
process (dingtalk_stream_app.py) opens the connection through `POST
/v1.0/gateway/connections/open` with `DINGTALK_OPENAPI_ENDPOINT` pointing at meetmock, receives
the EVENT frames of a conference driven through `alibabacloud-dingtalk` (the living invite
answering as the clock advances) and ACKs them; meetmock records each ACK, and redelivers on
the server clock what the app did not acknowledge (notes: shared/vendors/dingtalk-events.md §3,
§4.2).
"""

import json
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from alibabacloud_dingtalk.conference_1_0 import models as conf_models
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from alibabacloud_tea_util import models as util_models

from test_dingtalk import ALICE, HOST, KEY, SECRET, config, get_token, headers

HERE = os.path.dirname(os.path.abspath(__file__))
RT = util_models.RuntimeOptions()
MEMBER, STATUS = "meeting_member_status_change_target_push", "meeting_status_change_target_push"


class StreamApp:
    """The app process and the events it printed."""

    def __init__(self, server, *args):
        env = dict(os.environ, DINGTALK_OPENAPI_ENDPOINT=server.base, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "dingtalk_stream_app.py"), KEY, SECRET, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines = queue.Queue()
        self.events = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                self.lines.put(json.loads(line))
            except ValueError:
                pass

    def wait(self, n, timeout=15):
        deadline = time.time() + timeout
        while len(self.events) < n and time.time() < deadline:
            try:
                e = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if "event_type" in e:
                self.events.append(e)
        assert len(self.events) >= n, (self.events, self.proc.poll())
        return self.events

    def close(self):
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def stream_app(fresh):
    made = []

    def start(*args):
        app = StreamApp(fresh, *args)
        made.append(app)
        deadline = time.time() + 15
        while fresh.admin_ok("GET", "/connections?vendor=dingtalk")["count"] < 1:
            if time.time() > deadline:
                raise AssertionError("the dingtalk-stream client never connected: "
                                     + (app.proc.stderr.read() if app.proc.poll() is not None else "still running"))
            time.sleep(0.05)
        # Saving Stream mode wants a connected client (the console's check): it is.
        sub = fresh.admin_ok("POST", "/subscriptions", {"vendor": "dingtalk", "tenant": KEY, "mode": "stream"})
        assert sub["verification"]["state"] == "verified", sub
        assert sub["connected"] == 1
        return app

    yield start
    for a in made:
        a.close()


def deliveries(server, query, until, timeout=15):
    deadline = time.time() + timeout
    while True:
        got = server.admin_ok("GET", f"/events?{query}")["events"]
        if until(got) or time.time() > deadline:
            return got
        time.sleep(0.05)


def test_open_connection_answers_an_endpoint_and_a_ticket_and_refuses_bad_credentials(fresh):
    def post(body):
        req = urllib.request.Request(fresh.base + "/v1.0/gateway/connections/open",
                                     data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    subs = [{"type": "EVENT", "topic": "*"}]
    status, body = post({"clientId": KEY, "clientSecret": SECRET, "subscriptions": subs, "ua": "t"})
    assert status == 200
    assert body["endpoint"] == f"ws://{fresh.host}/connect"
    assert len(body["ticket"]) == 36
    status, body = post({"clientId": KEY, "clientSecret": "wrong", "subscriptions": subs})
    assert (status, body["code"]) == (400, "invalidClientIdOrSecret")
    status, body = post({"clientId": KEY, "clientSecret": SECRET})
    assert (status, body["code"], body["message"]) == (400, "Missingsubscriptions",
                                                      "subscriptions is mandatory for this action.")


def test_the_sdk_client_receives_and_acks_a_conferences_events(fresh, stream_app):
    app = stream_app()
    fresh.admin_ok("POST", "/clock/freeze", {})
    client, token = ConferenceClient(config(fresh)), get_token(fresh).access_token
    req = conf_models.CreateVideoConferenceRequest(user_id=HOST, conf_title="Stream 会议", invite_user_ids=[ALICE])
    conf_id = client.create_video_conference_with_options(
        req, headers(conf_models.CreateVideoConferenceHeaders, token), RT).body.conference_id
    fresh.admin_ok("POST", "/clock/advance", {"seconds": 30})  # the organiser and Alice answer
    client.close_video_conference_with_options(
        conf_id, conf_models.CloseVideoConferenceRequest(union_id=HOST),
        headers(conf_models.CloseVideoConferenceHeaders, token), RT)
    events = app.wait(8)
    scenes = [(e["event_type"], e["data"]["changeScene"]) for e in events]
    assert scenes == [(STATUS, "conference_created"), (MEMBER, "user_invited"), (MEMBER, "user_invited"),
                      (MEMBER, "user_join"), (MEMBER, "user_join"), (MEMBER, "user_leave"),
                      (MEMBER, "user_leave"), (STATUS, "conference_closed")]
    created = events[0]
    assert created["data"]["openConfModel"]["conferenceId"] == conf_id
    assert created["data"]["openConfModel"]["title"] == "Stream 会议"
    assert created["event_corp_id"] == "dingmockcorp0001"
    assert isinstance(created["event_born_time"], int) and created["event_born_time"] > 1_600_000_000_000
    assert len({e["event_id"] for e in events}) == 8
    seqs = [e["data"]["statusSeqNum"] for e in events]
    assert seqs == sorted(seqs)
    done = deliveries(fresh, "vendor=dingtalk&status=delivered", lambda d: len(d) == 8)
    assert len(done) == 8
    for d in done:
        a = d["attempts"][0]
        assert a["ok"] and a["status"] == 200 and a["request"]["url"].startswith("/connect connectionId=")
        ack = json.loads(a["response"])
        assert ack["headers"]["messageId"] == a["request"]["headers"]["messageId"]


def test_an_event_the_app_does_not_ack_is_redelivered_on_the_clock_with_the_same_event_id(fresh, stream_app):
    app = stream_app("fail-first")
    fresh.admin_ok("POST", "/clock/freeze", {})
    client, token = ConferenceClient(config(fresh)), get_token(fresh).access_token
    req = conf_models.CreateVideoConferenceRequest(user_id=HOST, conf_title="again", invite_caller=False)
    client.create_video_conference_with_options(req, headers(conf_models.CreateVideoConferenceHeaders, token), RT)
    first = app.wait(1)[0]
    assert first["acked"] == 500
    pending = deliveries(fresh, "vendor=dingtalk", lambda d: d and d[0]["status"] == "pending" and d[0]["attempts"])
    a = pending[0]["attempts"][0]
    assert a["status"] == 500 and not a["ok"] and "code 500" in a["error"]
    fresh.admin_ok("POST", "/clock/advance", {"seconds": 10})
    second = app.wait(2)[1]
    assert second["event_id"] == first["event_id"]
    assert second["message_id"] != first["message_id"], "a new frame, the same event"
    assert second["acked"] == 200
    done = deliveries(fresh, "vendor=dingtalk&status=delivered", lambda d: len(d) == 1)
    assert len(done) == 1 and len(done[0]["attempts"]) == 2
