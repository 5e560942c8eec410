"""Tencent Meeting event callbacks received by an app written from Tencent's docs alone.

Tencent ships no SDK component that receives events (shared/vendors/tencent-events.md §4), so
the receiver here is independent of meetmock's code: a small `http.server` that follows the
documented procedure (cloud.tencent.com/document/product/1095/51608 回调服务要求, 51612
签名校验, 54658 事件加解密) — URL-decode the query, check `signature` = sha1 over the sorted
token/timestamp/nonce/payload, base64-decode (leniently: the padding is a setting), AES-256-CBC
with IV = key[:16] and strict PKCS#7, answer the GET with the bare plaintext and a POST with
200 — and dedupes on `trace_id`. Meetings are driven through the official
`wemeet-openapi-sdk-python` (create, set invitees, dismiss); the host starts them and calls
phones through the admin API, and the called phones answer on the server clock.
"""

import base64
import hashlib
import http.server
import json
import threading
import time
import urllib.parse

import pytest
import wemeet_openapi
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from wemeet_openapi.service.meeting_control import (
    ApiV1MeetingsMeetingIdDismissPostRequest,
    V1MeetingsMeetingIdDismissPostRequest,
)
from wemeet_openapi.service.meetings import ApiV1MeetingsPostRequest, V1MeetingsPostRequest

from test_tencent import APP_ID, auth, client, set_invitees

TOKEN = "mockWebhookToken000000001"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
PHONE_YES = "+8613800000101"
PHONE_NO = "+8613800000102"


def sha1_signature(token, timestamp, nonce, payload):
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, payload])).encode()).hexdigest()


def b64decode_lenient(s):
    return base64.b64decode(s + "=" * (-len(s) % 4))


def aes_decrypt(encoding_aes_key, raw):
    key = base64.b64decode(encoding_aes_key + "=")
    assert len(key) == 32
    d = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    padded = d.update(raw) + d.finalize()
    u = padding.PKCS7(128).unpadder()
    return u.update(padded) + u.finalize()


class App:
    """The app's callback endpoint."""

    def __init__(self, token, aes_key=None, fail_posts=0):
        self.token, self.aes_key = token, aes_key
        self.fail_posts = fail_posts
        self.checks = []  # decrypted check_str plaintexts
        self.raw = []  # every POST's data as sent
        self.events = []  # every decoded event, duplicates included
        self.by_trace = {}  # trace_id -> event (dedupe)
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def reply(self, status, body):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def signed(self, payload):
                h = self.headers
                return h.get("signature") == sha1_signature(
                    outer.token, h.get("timestamp", ""), h.get("nonce", ""), payload
                )

            def open(self, payload):
                raw = b64decode_lenient(payload)
                return aes_decrypt(outer.aes_key, raw) if outer.aes_key else raw

            def do_GET(self):
                q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                check_str = q.get("check_str", [""])[0]
                if not self.signed(check_str):
                    return self.reply(403, "bad signature")
                plain = self.open(check_str).decode()
                outer.checks.append(plain)
                self.reply(200, plain)

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                assert self.headers["Content-Type"] == "application/json"
                data = json.loads(body)["data"]
                if not self.signed(data):
                    return self.reply(403, "bad signature")
                ev = json.loads(self.open(data))
                with outer.lock:
                    outer.raw.append(data)
                    outer.events.append(ev)
                    if outer.fail_posts > 0:
                        outer.fail_posts -= 1
                        return self.reply(500, "busy")
                    outer.by_trace.setdefault(ev["trace_id"], ev)
                self.reply(200, "successfully received callback")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/wemeet/callback"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def unique(self):
        """The events once each (deduped on trace_id), in arrival order."""
        seen, out = set(), []
        for ev in self.events:
            if ev["trace_id"] in self.by_trace and ev["trace_id"] not in seen:
                seen.add(ev["trace_id"])
                out.append(ev)
        return out

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def apps():
    made = []

    def make(*a, **kw):
        made.append(App(*a, **kw))
        return made[-1]

    yield make
    for a in made:
        a.close()


def subscribe(server, app, **extra):
    body = {"vendor": "tencent", "tenant": APP_ID, "url": app.url, "token": app.token, **extra}
    if app.aes_key:
        body["encoding_aes_key"] = app.aes_key
    return server.admin_ok("POST", "/subscriptions", body)


def settle(server, n=None):
    """Waits until every Tencent delivery is finished (and at least `n` exist)."""
    deadline = time.time() + 15
    while time.time() < deadline:
        evs = server.admin_ok("GET", "/events?vendor=tencent&limit=500")["events"]
        if (n is None or len(evs) >= n) and all(
            e["status"] in ("delivered", "failed", "dropped") for e in evs
        ):
            return evs
        time.sleep(0.05)
    pytest.fail(f"deliveries did not settle: {evs}")


def create(c, subject):
    body = V1MeetingsPostRequest(
        userid="userA", instanceid=1, subject=subject, type=0,
        start_time="1893484800", end_time="1893488400",
    )
    resp = c.meetings_api.v1_meetings_post(ApiV1MeetingsPostRequest(body=body), authenticator_options=auth())
    return resp.data.meeting_info_list[0].meeting_id


def dismiss(c, meeting_id):
    body = V1MeetingsMeetingIdDismissPostRequest(
        instanceid=1, operator_id="userA", operator_id_type=1, reason_code=1
    )
    c.meeting_control_api.v1_meetings_meeting_id_dismiss_post(
        ApiV1MeetingsMeetingIdDismissPostRequest(meeting_id=meeting_id, body=body),
        authenticator_options=auth(),
    )


def label(ev):
    item = ev["payload"][0]
    who = item["operator"]["userid"] or item["operator"].get("pstn_number")
    return f'{ev["event"]}:{item.get("status", who)}'


def test_a_meeting_life_arrives_verified_decrypted_typed_and_in_order(fresh, apps):
    app = apps(TOKEN, AES_KEY)
    sub = subscribe(fresh, app)
    assert sub["verification"]["state"] == "verified", sub
    assert len(app.checks) == 1 and app.checks[0], "the GET handshake was answered"
    fresh.admin_ok("POST", "/clock/freeze", {})
    fresh.admin_ok("PUT", "/behaviours", {"behaviours": [
        {"vendor": "tencent", "tenant": APP_ID, "number": PHONE_YES,
         "alert": 500, "ring": 2000, "outcome": "accept", "stay": 30000},
        {"vendor": "tencent", "tenant": APP_ID, "number": PHONE_NO,
         "alert": 500, "ring": 2000, "outcome": "decline"},
    ]})
    c = client(fresh)
    mid = create(c, "周会 weekly")
    set_invitees(c, mid, "userA", ["userB", "userC"])  # no event by default (§1.5)
    fresh.admin_ok("POST", f"/meetings/{mid}/start", {"vendor": "tencent"})  # userA, the host, enters
    fresh.admin_ok("POST", f"/meetings/{mid}/join", {"vendor": "tencent", "user": "userB"})
    for n in (PHONE_YES, PHONE_NO):
        fresh.admin_ok("POST", f"/meetings/{mid}/call", {"vendor": "tencent", "number": n, "name": "Phone"})
    fresh.admin_ok("POST", "/clock/advance", {"seconds": 5})  # the phones answer on the clock
    dismiss(c, mid)
    settle(fresh, n=12)

    evs = app.unique()
    assert [label(e) for e in evs] == [
        "meeting.created:userA",
        "meeting.started:userA",
        "meeting.participant-joined:userA",
        "meeting.participant-joined:userB",
        "meeting.phone.participant-status-updated:START_INVITE",
        "meeting.phone.participant-status-updated:START_INVITE",
        "meeting.phone.participant-status-updated:START_ACCEPT",
        f"meeting.participant-joined:{PHONE_YES}",
        "meeting.phone.participant-status-updated:LEAVE_WITHOUT_ACCEPT",
        "meeting.participant-left:userA",
        "meeting.participant-left:userB",
        "meeting.phone.participant-status-updated:LEAVE_WITH_ACCEPTED",
        f"meeting.participant-left:{PHONE_YES}",
        "meeting.end:userA",
    ]
    # Envelope and field types (notes §1.2–1.4).
    times = []
    for ev in evs:
        assert list(ev) == ["event", "trace_id", "payload"]
        assert len(ev["trace_id"]) == 36 and len(ev["payload"]) == 1
        item = ev["payload"][0]
        assert isinstance(item["operate_time"], int) and item["operate_time"] > 10**12  # ms
        info = item["meeting_info"]
        assert info["meeting_id"] == mid and len(info["meeting_code"]) == 9
        assert info["subject"] == "周会 weekly"
        assert (info["start_time"], info["end_time"]) == (1893484800, 1893488400)  # s, ints
        assert isinstance(item["operator"]["instance_id"], str)
        if ev["event"] != "meeting.phone.participant-status-updated":
            assert info["creator"]["userid"] == "userA"
        times.append(item["operate_time"])
    assert times == sorted(times), "one meeting's events in order"
    # The phone's answer came 0.5 s + 2 s after the call, on the server clock.
    accept = next(e for e in evs if e["payload"][0].get("status") == "START_ACCEPT")
    invite = next(e for e in evs if e["payload"][0].get("status") == "START_INVITE")
    assert accept["payload"][0]["operate_time"] - invite["payload"][0]["operate_time"] == 2500
    assert accept["payload"][0]["operator"]["pstn_number"] == PHONE_YES
    end = evs[-1]["payload"][0]
    assert end["meeting_end_type"] == 0
    # AES mode: every data is whole AES blocks in padded base64.
    assert all(len(base64.b64decode(d)) % 16 == 0 for d in app.raw)


def test_plain_unpadded_data_is_signed_exactly_as_sent(fresh, apps):
    app = apps(TOKEN)
    sub = subscribe(fresh, app, plain_base64_padding=False)
    assert sub["verification"]["state"] == "verified", sub
    assert sub["settings"] == {"plain_base64_padding": False}
    fresh.admin_ok("POST", "/clock/freeze", {})
    create(client(fresh), "plain")
    settle(fresh, n=1)
    assert [e["event"] for e in app.unique()] == ["meeting.created"]
    assert "=" not in app.raw[0]
    assert json.loads(b64decode_lenient(app.raw[0]))["event"] == "meeting.created"


def test_a_failed_delivery_is_resent_after_a_minute_on_the_clock_and_deduped(fresh, apps):
    app = apps(TOKEN, AES_KEY, fail_posts=1)
    subscribe(fresh, app)
    fresh.admin_ok("POST", "/clock/freeze", {})
    create(client(fresh), "retry")
    # Wait for meetmock's own record of the refused attempt (the receiver sees the request
    # before meetmock has read its answer).
    deadline = time.time() + 10
    while time.time() < deadline:
        listed = fresh.admin_ok("GET", "/events?vendor=tencent")["events"]
        if listed and listed[0]["attempts"] and listed[0]["status"] != "in_flight":
            break
        time.sleep(0.05)
    d = fresh.admin_ok("GET", "/events?vendor=tencent")["events"][0]
    assert d["status"] == "pending" and d["attempts"][0]["status"] == 500
    assert d["next_retry_at_ms"] - d["attempts"][0]["at_ms"] == 60_000
    time.sleep(0.3)
    assert len(app.events) == 1, "nothing is resent before the clock moves"
    fresh.admin_ok("POST", "/clock/advance", {"seconds": 60})
    settle(fresh, n=1)
    assert len(app.events) == 2
    assert app.events[0]["trace_id"] == app.events[1]["trace_id"]
    assert app.raw[0] == app.raw[1], "the same data, newly signed"
    assert [e["event"] for e in app.unique()] == ["meeting.created"]
    d = fresh.admin_ok("GET", f"/events/{d['id']}")
    assert d["status"] == "delivered" and d["event_id"] == app.events[0]["trace_id"]


def test_a_receiver_with_another_token_fails_the_verification(fresh, apps):
    app = apps("anotherToken0000000000001")
    body = {"vendor": "tencent", "tenant": APP_ID, "url": app.url, "token": TOKEN}
    sub = fresh.admin_ok("POST", "/subscriptions", body)
    assert sub["verification"]["state"] == "failed"
    assert "HTTP 403" in sub["verification"]["error"]
    assert app.checks == []
