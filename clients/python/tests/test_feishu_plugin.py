"""The pytest plugin driven the way a user's suite would: lark-oapi (the official Feishu SDK)
against the `feishu_tenant` fixture — fresh credentials per test on one shared server, login
codes, journal assertions with readable diffs, tenant-scoped faults, invitee behaviour on a
frozen clock, the change stream and event deliveries to the SDK's own dispatcher.
"""

import http.server
import threading
import time

import lark_oapi as lark
import pytest
from lark_oapi.api.vc.v1 import (
    GetMeetingRequest,
    InviteMeetingRequest,
    InviteMeetingRequestBody,
    MeetingUser,
)
from lark_oapi.core.cache import ICache
from lark_oapi.core.model import RawRequest


class Cache(ICache):
    """Each client its own token cache (the SDK's default is process-wide per app id)."""

    def __init__(self):
        self.d = {}

    def get(self, key):
        v, exp = self.d.get(key, (None, 0))
        return v if exp > time.time() else None

    def set(self, key, value, expire):
        self.d[key] = (value, expire)


def sdk(meetmock, tenant):
    c = tenant.credentials
    return (lark.Client.builder().app_id(c["app_id"]).app_secret(c["app_secret"]).cache(Cache())
            .domain(meetmock.url).oauth_base_url(meetmock.url).enable_set_token(True)
            .log_level(lark.LogLevel.ERROR).build())


def as_host(client, tenant):
    token = client.access_token.retrieve_by_authorization_code(tenant.login_code())
    return lark.RequestOption.builder().user_access_token(token.access_token).build()


def invite(client, option, tenant, *guests):
    req = (InviteMeetingRequest.builder().meeting_id(tenant.meetings["live"]).user_id_type("open_id")
           .request_body(InviteMeetingRequestBody.builder().invitees(
               [MeetingUser.builder().id(g).user_type(1).build() for g in guests]).build())
           .build())
    return client.vc.v1.meeting.invite(req, option)


def participant_status(client, option, tenant, user):
    req = (GetMeetingRequest.builder().meeting_id(tenant.meetings["live"]).with_participants(True)
           .user_id_type("open_id").build())
    meeting = client.vc.v1.meeting.get(req, option).data.meeting
    return next((p.status for p in meeting.participants or [] if p.id == user), None)


def test_a_tenant_of_its_own_invites_through_the_sdk_and_the_journal_counts_it(meetmock, feishu_tenant):
    client = sdk(meetmock, feishu_tenant)
    option = as_host(client, feishu_tenant)
    guest = feishu_tenant.guests[0]
    resp = invite(client, option, feishu_tenant, guest)
    assert resp.success(), (resp.code, resp.msg)
    entries = feishu_tenant.assert_count(1, operation="meeting.invite", status=200)
    assert entries[0]["meeting"] == feishu_tenant.meetings["live"]
    assert feishu_tenant.count(operation="meeting.invite") == 1
    called = feishu_tenant.changes(type="participant_called")
    assert [c["meeting"]["id"] for c in called] == [feishu_tenant.meetings["live"]]


def test_two_tenants_on_one_server_do_not_see_each_others_requests(meetmock):
    a, b = meetmock.tenant("feishu"), meetmock.tenant("feishu")
    assert a.id != b.id and a.meetings["live"] != b.meetings["live"]
    client = sdk(meetmock, a)
    assert invite(client, as_host(client, a), a, a.guests[0]).success()
    a.assert_called(operation="meeting.invite")
    b.assert_not_called(operation="meeting.invite")
    assert b.changes(type="participant_called") == []


def test_a_failed_count_assertion_lists_the_matches_and_the_nearest_misses(meetmock, feishu_tenant):
    client = sdk(meetmock, feishu_tenant)
    option = as_host(client, feishu_tenant)
    participant_status(client, option, feishu_tenant, feishu_tenant.guests[0])  # a meeting.get
    assert invite(client, option, feishu_tenant, feishu_tenant.guests[0]).success()
    with pytest.raises(AssertionError) as e:
        feishu_tenant.assert_count(2, operation="meeting.invite")
    text = str(e.value)
    assert f"expected 2 request(s) matching vendor=feishu tenant={feishu_tenant.id} operation=meeting.invite, found 1" in text
    assert "matching (newest first):" in text and "meeting.invite → 200" in text
    # the tenant's other requests, and what differed
    assert f"other requests of vendor=feishu tenant={feishu_tenant.id}" in text
    assert "operation 'meeting.get' (wanted 'meeting.invite')" in text


def test_a_tenant_fault_is_the_sdks_error_and_is_removed_after_the_test(meetmock, feishu_tenant):
    client = sdk(meetmock, feishu_tenant)
    option = as_host(client, feishu_tenant)
    name = feishu_tenant.add_fault(match={"operation": "meeting.invite"}, error="meeting_is_locked")
    resp = invite(client, option, feishu_tenant, feishu_tenant.guests[0])
    assert (resp.code, resp.msg, resp.raw.status_code) == (122008, "meeting is locked", 400)
    hit = [e for e in meetmock.requests(vendor="feishu", operation="meeting.invite") if e["fault"] == name]
    assert len(hit) == 1 and hit[0]["status"] == 400
    # the rule names the tenant: another tenant is not hit
    other = meetmock.tenant("feishu")
    oc = sdk(meetmock, other)
    assert invite(oc, as_host(oc, other), other, other.guests[0]).success()
    meetmock.disable_fault(name)
    assert invite(client, option, feishu_tenant, feishu_tenant.guests[1]).success()
    meetmock.cleanup()
    assert name not in [f["name"] for f in meetmock.faults()]


def test_an_invitee_behaviour_plays_out_on_the_frozen_clock(meetmock, feishu_tenant):
    meetmock.freeze()
    guest = feishu_tenant.guests[1]
    feishu_tenant.behave(user=guest, alert=500, ring=3000, outcome="accept", stay=60000)
    client = sdk(meetmock, feishu_tenant)
    option = as_host(client, feishu_tenant)
    assert invite(client, option, feishu_tenant, guest).success()
    assert participant_status(client, option, feishu_tenant, guest) == 1  # calling
    meetmock.advance(1)
    assert participant_status(client, option, feishu_tenant, guest) == 3  # ringing
    meetmock.advance(3)
    assert participant_status(client, option, feishu_tenant, guest) == 2  # joined
    meetmock.advance(60)
    assert participant_status(client, option, feishu_tenant, guest) == 4  # left
    kinds = [c["type"] for c in feishu_tenant.changes(meeting=feishu_tenant.meetings["live"])]
    assert kinds[-3:] == ["participant_ringing", "participant_joined", "participant_left"]


def test_an_unchanged_tenant_reset_brings_back_its_meetings(meetmock, feishu_tenant):
    feishu_tenant.act("live", "lock")
    assert feishu_tenant.meeting("live")["locked"] is True
    feishu_tenant.reset()
    assert feishu_tenant.meeting("live")["locked"] is False


class Receiver(http.server.BaseHTTPRequestHandler):
    handler = None

    def do_POST(self):
        req = RawRequest()
        req.uri = self.path
        req.body = self.rfile.read(int(self.headers["Content-Length"]))
        req.headers = dict(self.headers.items())
        resp = self.handler.do(req)
        self.send_response(resp.status_code)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(resp.content)

    def log_message(self, *args):
        pass


def test_events_of_the_tenant_reach_the_sdks_dispatcher_and_the_delivery_journal(meetmock, feishu_tenant):
    seen = []
    handler = (lark.EventDispatcherHandler.builder("enc-key", "verify-token")
               .register_p2_vc_meeting_join_meeting_v1(seen.append).build())
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), type("R", (Receiver,), {"handler": handler}))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        sub = feishu_tenant.subscribe(f"http://127.0.0.1:{httpd.server_port}/events",
                                      verification_token="verify-token", encrypt_key="enc-key")
        assert sub["verification"]["state"] == "verified"
        assert [s["id"] for s in feishu_tenant.subscriptions()] == [sub["id"]]
        guest = feishu_tenant.guests[2]
        feishu_tenant.act("live", "join", user=guest)
        deadline = time.monotonic() + 10  # waits for the worker's HTTP delivery, not for a clock
        while time.monotonic() < deadline and feishu_tenant.event_count(status="delivered") < 1:
            time.sleep(0.02)
        delivered = feishu_tenant.events(status="delivered")
        assert [d["type"] for d in delivered] == ["vc.meeting.join_meeting_v1"]
        assert seen and seen[0].event.operator.id.open_id == guest
    finally:
        httpd.shutdown()
