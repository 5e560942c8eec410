"""Feishu VC event callbacks consumed by lark-oapi's own `EventDispatcherHandler`, run in a small
local HTTP server exactly as an app would (notes: shared/vendors/feishu-events.md §4).

The handler is built with the tenant's Encrypt Key and Verification Token; meetmock answers its
URL challenge when the subscription is set, then delivers the meeting's events — plain or
encrypted and signed — and the SDK parses them into its typed `P2VcMeeting…V1` models. The
invitees join by themselves (the demo's living invite) once the server clock is advanced. Headers
are handed to the SDK exactly as received (no `.title()`): it looks `X-Lark-*` up
case-sensitively, so this also proves the canonical header case on the wire.
"""

import http.server
import threading
import time

import lark_oapi as lark
import pytest
from lark_oapi.api.vc.v1 import (
    ApplyReserveRequest,
    ApplyReserveRequestBody,
    EndMeetingRequest,
    KickoutMeetingRequest,
    KickoutMeetingRequestBody,
    MeetingUser,
    P2VcMeetingAllMeetingEndedV1,
    P2VcMeetingAllMeetingStartedV1,
    P2VcMeetingJoinMeetingV1,
    P2VcMeetingLeaveMeetingV1,
    P2VcMeetingMeetingEndedV1,
    P2VcMeetingMeetingStartedV1,
    P2VcMeetingParticipantMeetingEndedV1,
    ReserveMeetingSetting,
)
from lark_oapi.core.model import RawRequest

from test_feishu import APP_ID, HOST, client_for, invite, user_option

VT = "mock-verification-token"
EK = "mock-encrypt-key"
GUEST = "ou_guest_0001"
KICKED = "ou_guest_0002"


class Sink:
    """An app's event endpoint: lark-oapi's dispatcher behind http.server."""

    def __init__(self, encrypt_key, verification_token):
        self.seen = []
        self.statuses = []
        b = lark.EventDispatcherHandler.builder(encrypt_key, verification_token)
        for register in (
            b.register_p2_vc_meeting_meeting_started_v1,
            b.register_p2_vc_meeting_all_meeting_started_v1,
            b.register_p2_vc_meeting_join_meeting_v1,
            b.register_p2_vc_meeting_leave_meeting_v1,
            b.register_p2_vc_meeting_meeting_ended_v1,
            b.register_p2_vc_meeting_all_meeting_ended_v1,
            b.register_p2_vc_meeting_participant_meeting_ended_v1,
            b.register_p2_vc_meeting_recording_started_v1,
            b.register_p2_vc_meeting_recording_ended_v1,
            b.register_p2_vc_meeting_recording_ready_v1,
            b.register_p2_vc_meeting_share_started_v1,
            b.register_p2_vc_meeting_share_ended_v1,
        ):
            b = register(self.seen.append)
        handler = b.build()
        outer = self

        class Endpoint(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                req = RawRequest()
                req.uri = self.path
                req.body = self.rfile.read(int(self.headers["Content-Length"]))
                req.headers = dict(self.headers.items())  # as received: no case fixing
                resp = handler.do(req)
                outer.statuses.append(resp.status_code)
                content = resp.content or b""
                self.send_response(resp.status_code)
                for k, v in resp.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/webhook/event"

    def wait(self, n, timeout=10):
        deadline = time.time() + timeout
        while len(self.seen) < n and time.time() < deadline:
            time.sleep(0.02)
        assert len(self.seen) >= n, f"expected {n} events, got {[e.header.event_type for e in self.seen]}"
        return self.seen

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def sinks():
    made = []

    def make(encrypt_key, token):
        s = Sink(encrypt_key, token)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def subscribe(server, url, encrypt_key=None):
    body = {"vendor": "feishu", "tenant": APP_ID, "url": url, "verification_token": VT}
    if encrypt_key:
        body["encrypt_key"] = encrypt_key
    return server.admin("POST", "/subscriptions", body)


def reserve(client):
    """A meeting reserved through the OpenAPI (the SDK): these fire the non-`all_` events."""
    req = (
        ApplyReserveRequest.builder()
        .user_id_type("open_id")
        .request_body(
            ApplyReserveRequestBody.builder()
            .end_time(str(int(time.time()) + 3600))
            .owner_id(HOST)
            .meeting_settings(ReserveMeetingSetting.builder().topic("events through the SDK").build())
            .build()
        )
        .build()
    )
    resp = client.vc.v1.reserve.apply(req)
    assert resp.success(), (resp.code, resp.msg)
    return resp.data.reserve.id


def run_meeting(server, client):
    """Reserve (SDK) → start (admin; the reserve opens a meeting) → invite (SDK) → the invitees
    answer on the server clock (the demo's living invite) → one leaves (admin) → kick (SDK) →
    end (SDK). Returns the meeting id."""
    server.admin_ok("POST", "/clock/freeze", {})
    rid = reserve(client)
    mid = server.admin_ok("POST", f"/meetings/{rid}/start", {"vendor": "feishu"})["meeting"]["id"]
    option = user_option(server, client)
    assert invite(client, option, [GUEST, KICKED], meeting=mid).success()
    server.admin_ok("POST", "/clock/advance", {"seconds": 30})  # they ring, then accept
    server.admin_ok("POST", f"/meetings/{mid}/leave", {"vendor": "feishu", "user": GUEST})
    kick = client.vc.v1.meeting.kickout(
        KickoutMeetingRequest.builder()
        .meeting_id(mid)
        .user_id_type("open_id")
        .request_body(
            KickoutMeetingRequestBody.builder()
            .kickout_users([MeetingUser.builder().id(KICKED).user_type(1).build()])
            .build()
        )
        .build()
    )
    assert kick.success(), (kick.code, kick.msg)
    end = client.vc.v1.meeting.end(EndMeetingRequest.builder().meeting_id(mid).build(), option)
    assert end.success(), (end.code, end.msg)
    return mid


EXPECTED = [
    (P2VcMeetingMeetingStartedV1, "vc.meeting.meeting_started_v1"),
    (P2VcMeetingAllMeetingStartedV1, "vc.meeting.all_meeting_started_v1"),
    (P2VcMeetingJoinMeetingV1, "vc.meeting.join_meeting_v1"),  # the host
    (P2VcMeetingJoinMeetingV1, "vc.meeting.join_meeting_v1"),  # GUEST or KICKED, as they answer
    (P2VcMeetingJoinMeetingV1, "vc.meeting.join_meeting_v1"),
    (P2VcMeetingLeaveMeetingV1, "vc.meeting.leave_meeting_v1"),  # GUEST left, 1
    (P2VcMeetingLeaveMeetingV1, "vc.meeting.leave_meeting_v1"),  # KICKED, 3
    (P2VcMeetingLeaveMeetingV1, "vc.meeting.leave_meeting_v1"),  # the host at the end, 2
    (P2VcMeetingMeetingEndedV1, "vc.meeting.meeting_ended_v1"),
    (P2VcMeetingAllMeetingEndedV1, "vc.meeting.all_meeting_ended_v1"),
    (P2VcMeetingParticipantMeetingEndedV1, "vc.meeting.participant_meeting_ended_v1"),
]


def check_meeting_events(server, sink, mid):
    events = sink.wait(len(EXPECTED))
    assert [(type(e), e.header.event_type) for e in events] == EXPECTED
    assert all(s == 200 for s in sink.statuses), sink.statuses
    ids = [e.header.event_id for e in events]
    assert len(set(ids)) == len(ids)
    for e in events:
        assert e.header.app_id == APP_ID
        assert e.header.token == VT
        assert e.event.meeting.id == mid
        assert len(e.event.meeting.meeting_no) == 9
    started = events[0].event
    assert started.meeting.topic == "events through the SDK"
    assert started.meeting.meeting_source == 4
    assert started.meeting.host_user.id.open_id == HOST
    assert started.meeting.host_user.id.union_id == "on_host_0001"
    joins = [e.event.operator.id.open_id for e in events[2:5]]
    assert joins[0] == HOST and sorted(joins[1:]) == [GUEST, KICKED]
    leaves = [(e.event.leave_user.id.open_id, e.event.leave_reason) for e in events[5:8]]
    assert leaves == [(GUEST, 1), (KICKED, 3), (HOST, 2)]
    assert events[8].event.operator.id.open_id == HOST, "the host ended it through the SDK"
    assert int(events[8].event.meeting.end_time) >= int(started.meeting.start_time)
    took_part = {u.open_id for u in events[10].event.subscriber_ids}
    assert took_part == {HOST, GUEST, KICKED}, "everyone who was in the meeting"
    check_delivered(server, len(EXPECTED))
    return events


def check_delivered(server, n):
    """The app has the last event a moment before meetmock has its answer: waits until all `n`
    deliveries are recorded as delivered, and that they are all there is."""
    deadline = time.time() + 10
    while server.admin_ok("GET", "/events/count?status=delivered")["count"] < n:
        assert time.time() < deadline, server.admin_ok("GET", "/events")
        time.sleep(0.02)
    assert server.admin_ok("GET", "/events/count")["count"] == n


def test_plain_events_reach_the_sdk_dispatcher_as_typed_models(fresh, sinks):
    sink = sinks("", VT)
    status, sub = subscribe(fresh, sink.url)
    assert status == 200, sub
    assert sub["verification"]["state"] == "verified", "the SDK answered the URL challenge"
    mid = run_meeting(fresh, client_for(fresh))
    check_meeting_events(fresh, sink, mid)


def test_encrypted_and_signed_events_reach_the_sdk_dispatcher(fresh, sinks):
    sink = sinks(EK, VT)
    status, sub = subscribe(fresh, sink.url, EK)
    assert status == 200, sub
    assert sub["verification"]["state"] == "verified"
    mid = run_meeting(fresh, client_for(fresh))
    check_meeting_events(fresh, sink, mid)
    d = fresh.admin_ok("GET", "/events?limit=1")["events"][0]
    headers = d["attempts"][0]["request"]["headers"]
    assert set(headers) >= {"X-Lark-Request-Timestamp", "X-Lark-Request-Nonce", "X-Lark-Signature"}
    assert d["attempts"][0]["request"]["body"].startswith('{"encrypt":"')


def test_a_handler_with_another_token_fails_the_challenge_and_gets_no_events(fresh, sinks):
    sink = sinks("", "another-token")
    status, sub = subscribe(fresh, sink.url)
    assert status == 200, sub
    assert sub["verification"]["state"] == "failed"
    assert "HTTP 500" in sub["verification"]["error"]
    assert sink.statuses == [500], "the SDK refused the challenge"
    fresh.admin_ok("POST", "/meetings/6911188411934973028/start", {"vendor": "feishu"})
    assert fresh.admin_ok("GET", "/events/count")["count"] == 0
    assert sink.seen == []


def test_a_corrupted_signature_is_refused_by_the_sdk_then_retried_on_the_clock(fresh, sinks):
    sink = sinks(EK, VT)
    fresh.admin_ok("POST", "/clock/freeze", {})
    fresh.admin_ok("POST", "/faults", {
        "name": "bad-signature", "target": "delivery", "delivery": "corrupt_signature",
        "when": {"first": 1}, "match": {"vendor": "feishu", "event_type": "vc.meeting.join_meeting_v1"},
    })
    status, sub = subscribe(fresh, sink.url, EK)
    assert status == 200 and sub["verification"]["state"] == "verified", sub
    fresh.admin_ok("POST", "/meetings/7000000000000000028/join", {"vendor": "feishu", "user": GUEST})
    deadline = time.time() + 10
    while time.time() < deadline:
        d = fresh.admin_ok("GET", "/events?type=vc.meeting.join_meeting_v1")["events"][0]
        if d["attempts"]:
            break
        time.sleep(0.02)
    first = d["attempts"][0]
    assert (first["status"], d["status"]) == (500, "pending")
    assert "signature verification failed" in first["response"]
    assert sink.seen == []
    fresh.admin_ok("POST", "/clock/advance", {"seconds": 15})
    events = sink.wait(1)
    assert isinstance(events[0], P2VcMeetingJoinMeetingV1)
    assert events[0].header.event_id == d["event_id"], "the retry carries the same event id"
    assert sink.statuses == [200, 500, 200]
