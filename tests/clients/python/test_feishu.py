"""Feishu / Lark VC v1 through the official `lark-oapi` SDK, used exactly as a user would:
`domain` and `oauth_base_url` pointed at meetmock, `enable_set_token` for user-token calls.

Demo app: cli_demo_feishu / demo_feishu_secret; meeting 7000000000000000028 is in progress
with ou_host_0001 joined; reserve 6911188411934973028 is scheduled.
"""

import re
import time

import lark_oapi as lark
from lark_oapi.core.cache import ICache
import pytest
from lark_oapi.api.authen.v1 import (
    CreateOidcAccessTokenRequest,
    CreateOidcAccessTokenRequestBody,
)
from lark_oapi.api.vc.v1 import (
    ApplyReserveRequest,
    ApplyReserveRequestBody,
    GetActiveMeetingReserveRequest,
    GetMeetingListRequest,
    GetMeetingRequest,
    GetParticipantListRequest,
    InviteMeetingRequest,
    InviteMeetingRequestBody,
    MeetingUser,
    ReserveMeetingSetting,
)

APP_ID = "cli_demo_feishu"
APP_SECRET = "demo_feishu_secret"
LIVE = "7000000000000000028"
HOST = "ou_host_0001"


class FreshCache(ICache):
    """The SDK caches tokens process-wide by app id; a server reset forgets them, so every
    test's client gets its own cache (what a user resetting the mock between tests does)."""

    def __init__(self):
        self._d = {}

    def get(self, key):
        value, expire = self._d.get(key, (None, 0))
        return value if expire > time.time() else None

    def set(self, key, value, expire):
        self._d[key] = (value, expire)


def client_for(server, secret=APP_SECRET):
    return (
        lark.Client.builder()
        .cache(FreshCache())
        .app_id(APP_ID)
        .app_secret(secret)
        .domain(server.base)
        .oauth_base_url(server.base)
        .enable_set_token(True)
        .log_level(lark.LogLevel.ERROR)
        .build()
    )


@pytest.fixture
def client(fresh):
    return client_for(fresh)


def login_code(server, user):
    return server.admin_ok("POST", "/vendors/feishu/login_code", {"app_id": APP_ID, "user": user})["code"]


def user_option(server, client, user=HOST):
    req = (
        CreateOidcAccessTokenRequest.builder()
        .request_body(
            CreateOidcAccessTokenRequestBody.builder()
            .grant_type("authorization_code")
            .code(login_code(server, user))
            .build()
        )
        .build()
    )
    resp = client.authen.v1.oidc_access_token.create(req)
    assert resp.success(), (resp.code, resp.msg)
    return lark.RequestOption.builder().user_access_token(resp.data.access_token).build()


def invite(client, option, ids, meeting=LIVE):
    body = InviteMeetingRequestBody.builder().invitees(
        [MeetingUser.builder().id(i).user_type(1).build() for i in ids]
    )
    req = InviteMeetingRequest.builder().meeting_id(meeting).user_id_type("open_id").request_body(body.build()).build()
    return client.vc.v1.meeting.invite(req, option)


def test_tenant_token_is_fetched_by_the_sdk_and_used_for_reserve_apply(fresh, client):
    end = int(time.time()) + 3600
    req = (
        ApplyReserveRequest.builder()
        .user_id_type("open_id")
        .request_body(
            ApplyReserveRequestBody.builder()
            .end_time(str(end))
            .owner_id(HOST)
            .meeting_settings(ReserveMeetingSetting.builder().topic("sdk meeting").build())
            .build()
        )
        .build()
    )
    resp = client.vc.v1.reserve.apply(req)
    assert resp.success(), (resp.code, resp.msg)
    reserve = resp.data.reserve
    assert len(reserve.id) == 19 and len(reserve.meeting_no) == 9
    assert resp.get_log_id() is not None
    assert fresh.count(vendor="feishu", operation="auth.tenant_access_token.internal") == 1

    # start it through the admin API (someone joins), then read it back as a meeting: the
    # meeting id comes into being at the start and is not the reserve id
    started = fresh.admin_ok("POST", f"/meetings/{reserve.id}/start", {"vendor": "feishu"})
    meeting_id = started["meeting"]["id"]
    assert meeting_id != reserve.id
    active = client.vc.v1.reserve.get_active_meeting(
        GetActiveMeetingReserveRequest.builder().reserve_id(reserve.id).with_participants(True).build()
    )
    assert active.success(), (active.code, active.msg)
    assert active.data.meeting.id == meeting_id
    wrong = client.vc.v1.meeting.get(GetMeetingRequest.builder().meeting_id(reserve.id).build())
    assert (wrong.code, wrong.raw.status_code) == (121004, 404)
    got = client.vc.v1.meeting.get(GetMeetingRequest.builder().meeting_id(meeting_id).with_participants(True).build())
    assert got.success()
    assert got.data.meeting.status == 2
    assert got.data.meeting.host_user.id == HOST
    assert [p.id for p in got.data.meeting.participants] == [HOST]


def test_invite_three_then_meeting_get_lists_them_calling(fresh, client):
    # The demo's invitees answer within seconds: a still clock keeps the calls as placed.
    fresh.admin_ok("POST", "/clock/freeze", {})
    option = user_option(fresh, client)
    resp = invite(client, option, ["ou_guest_0000", "ou_guest_0001", "ou_guest_0002"])
    assert resp.success(), (resp.code, resp.msg)
    assert [(r.id, r.status) for r in resp.data.invite_results] == [
        ("ou_guest_0000", 1),
        ("ou_guest_0001", 1),
        ("ou_guest_0002", 1),
    ]
    assert resp.get_log_id() is not None
    got = client.vc.v1.meeting.get(GetMeetingRequest.builder().meeting_id(LIVE).with_participants(True).build())
    statuses = {p.id: p.status for p in got.data.meeting.participants}
    assert statuses == {HOST: 2, "ou_guest_0000": 1, "ou_guest_0001": 1, "ou_guest_0002": 1}


def test_invite_eleven_is_121003(fresh, client):
    option = user_option(fresh, client)
    resp = invite(client, option, [f"ou_guest_{i:04d}" for i in range(11)])
    assert (resp.code, resp.msg, resp.raw.status_code) == (121003, "param error", 400)
    assert resp.error["log_id"] == resp.get_log_id()


def test_invite_into_unknown_meeting_is_122002_404(fresh, client):
    option = user_option(fresh, client)
    resp = invite(client, option, ["ou_guest_0000"], meeting="6900000000000000000")
    assert (resp.code, resp.msg, resp.raw.status_code) == (122002, "meeting not exist", 404)


def test_invite_into_locked_meeting_is_122008(fresh, client):
    option = user_option(fresh, client)
    fresh.admin_ok("POST", f"/meetings/{LIVE}/lock", {"vendor": "feishu"})
    resp = invite(client, option, ["ou_guest_0000"])
    assert (resp.code, resp.msg, resp.raw.status_code) == (122008, "meeting is locked", 400)


def test_invite_into_full_meeting_is_122006(fresh, client):
    option = user_option(fresh, client)
    fresh.admin_ok("POST", f"/meetings/{LIVE}/capacity", {"vendor": "feishu", "capacity": 1})
    resp = invite(client, option, ["ou_guest_0000"])
    assert (resp.code, resp.msg, resp.raw.status_code) == (122006, "participant count reach limit", 400)


def test_invite_from_an_address_off_the_apps_ip_allowlist_is_99991401(fresh, client):
    fresh.admin_ok("POST", "/vendors/feishu/app", {"app_id": APP_ID, "ip_allowlist": ["203.0.113.7"]})
    option = user_option(fresh, client)  # token issuing is not guarded by the allow-list
    resp = invite(client, option, ["ou_guest_0000"])
    assert (resp.code, resp.raw.status_code) == (99991401, 400)
    caller = re.fullmatch(r"ip (\S+) is denied by app setting", resp.msg).group(1)
    if fresh.base.startswith("http://127.0.0.1:"):
        assert caller == "127.0.0.1"
    assert resp.error["log_id"] == resp.get_log_id()
    got = client.vc.v1.meeting.get(GetMeetingRequest.builder().meeting_id(LIVE).with_participants(True).build())
    assert (got.code, got.msg) == (99991401, resp.msg)  # the tenant token is the app's too
    fresh.admin_ok("POST", "/vendors/feishu/app", {"app_id": APP_ID, "ip_allowlist": None})
    got = client.vc.v1.meeting.get(GetMeetingRequest.builder().meeting_id(LIVE).with_participants(True).build())
    assert [p.id for p in got.data.meeting.participants] == [HOST]  # nobody was called
    # The address the message names, put on the list, is let through at once.
    fresh.admin_ok("POST", "/vendors/feishu/app", {"app_id": APP_ID, "ip_allowlist": [caller]})
    assert invite(client, option, ["ou_guest_0000"]).success()


def test_bad_user_token_is_99991668(fresh, client):
    option = lark.RequestOption.builder().user_access_token("u-bogus").build()
    resp = invite(client, option, ["ou_guest_0000"])
    assert resp.code == 99991668
    assert resp.raw.status_code == 400
    assert isinstance(resp.error, dict) and resp.error["log_id"] == resp.get_log_id()


def test_wrong_app_secret_raises_before_the_business_call(fresh):
    bad = client_for(fresh, secret="wrong")
    with pytest.raises(Exception) as e:
        bad.vc.v1.meeting.get(GetMeetingRequest.builder().meeting_id(LIVE).build())
    assert "10014" in str(e.value)


def test_oauth_v3_helper_exchanges_a_login_code(fresh, client):
    token = client.access_token.retrieve_by_authorization_code(login_code(fresh, HOST), redirect_uri="http://127.0.0.1/cb")
    assert token.access_token.startswith("u-")
    refreshed = client.access_token.refresh(token.refresh_token)
    assert refreshed.access_token.startswith("u-") and refreshed.access_token != token.access_token


def test_rate_limit_from_a_scenario_answers_429_99991400(fresh, client):
    fresh.admin_ok(
        "POST",
        "/scenarios",
        {"name": "tight", "rate_limits": {"feishu": [{"limit": 2, "window_secs": 60}]}},
    )
    try:
        req = GetMeetingRequest.builder().meeting_id(LIVE).build()
        codes = [client.vc.v1.meeting.get(req).code for _ in range(2)]
        assert codes == [0, 0]
        resp = client.vc.v1.meeting.get(req)
        assert (resp.code, resp.msg, resp.raw.status_code) == (99991400, "request trigger frequency limit", 429)
        headers = {k.lower(): v for k, v in resp.raw.headers.items()}
        assert headers["x-ogw-ratelimit-limit"] == "2"
        assert int(headers["x-ogw-ratelimit-reset"]) >= 1
        assert resp.get_log_id() is not None
    finally:
        fresh.admin_ok(
            "POST", "/scenarios", {"name": "documented", "rate_limits": {"feishu": "documented"}}
        )


def test_meeting_list_reports_the_running_demo_meeting(fresh, client):
    now = int(time.time())
    req = (
        GetMeetingListRequest.builder()
        .start_time(now - 3600)
        .end_time(now + 3600)
        .meeting_status(1)
        .user_id_type("union_id")
        .page_size(20)
        .build()
    )
    resp = client.vc.v1.meeting_list.get(req)
    assert resp.success(), (resp.code, resp.msg)
    assert resp.get_log_id() is not None
    assert resp.data.has_more is False
    [m] = resp.data.meeting_list
    assert m.meeting_id == LIVE
    assert m.user_id == "on_host_0001"
    assert m.number_of_participants == "1"
    assert m.meeting_start_time.endswith("(GMT+08:00)")


def test_participant_list_shows_an_accepted_invitee_and_refuses_a_bad_page_size(fresh, client):
    invite(client, user_option(fresh, client), ["ou_guest_0001"])
    fresh.admin_ok("POST", f"/meetings/{LIVE}/accept", {"vendor": "feishu", "tenant": APP_ID, "user": "ou_guest_0001"})

    def req(size):
        return (
            GetParticipantListRequest.builder()
            .meeting_start_time(int(time.time()) - 3600)
            .meeting_end_time(int(time.time()) + 3600)
            .meeting_status(1)
            .meeting_no("112000358")
            .user_id_type("user_id")
            .page_size(size)
            .build()
        )

    resp = client.vc.v1.participant_list.get(req(20))
    assert resp.success(), (resp.code, resp.msg)
    assert sorted(p.user_id for p in resp.data.participants) == ["guest0001", "host0001"]
    assert all(p.leave_time == "" for p in resp.data.participants)

    bad = client.vc.v1.participant_list.get(req(5))
    assert bad.code == 121003 and bad.msg == "param error"
