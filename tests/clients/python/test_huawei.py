"""Huawei Cloud Meeting through the official SDK (huaweicloudsdkmeeting), set up exactly as a user
would: MeetingCredentials (account/password or App ID), the endpoint at meetmock, and the server's
self-signed certificate trusted through HttpConfig.ssl_ca_cert (the SDK logs in over https on the
same host:port as its plain-HTTP endpoint)."""

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkmeeting.v1 import (
    Attendee,
    CancelMeetingRequest,
    CreateConfTokenRequest,
    CreateMeetingRequest,
    HangUpRequest,
    InviteParticipantRequest,
    ListOnlineConfAttendeeRequest,
    LockMeetingRequest,
    MeetingClient,
    RestAttendeeDTO,
    RestBulkHangUpReqBody,
    RestInviteReqBody,
    RestLockReqBody,
    RestScheduleConfDTO,
    SearchMeetingsRequest,
    ShowRealTimeInfoOfMeetingRequest,
    ShowMeetingDetailRequest,
    StartMeetingRequest,
    StartRequest,
    StopMeetingRequest,
)
from huaweicloudsdkmeeting.v1.meeting_credentials import AuthTypeEnum, MeetingCredentials

ACCOUNT, PASSWORD = "demo@hwcorp", "Demo@Passw0rd"
APP_ID, APP_KEY = "hwdemoappid0123456789", "HwDemoAppKey0123456789abcdef"


def client(server, creds, verify=True):
    cfg = HttpConfig.get_default_config()
    if verify:
        cfg.ssl_ca_cert = server.cert_path
    else:
        cfg.ignore_ssl_verification = True
    return (
        MeetingClient.new_builder()
        .with_http_config(cfg)
        .with_credentials(creds)
        .with_endpoint(server.base)
        .build()
    )


def account_client(server, password=PASSWORD):
    return client(server, MeetingCredentials(ACCOUNT, password))


def create(c, subject="sdk meeting"):
    body = RestScheduleConfDTO(
        start_time="2030-01-01 08:00",
        length=60,
        subject=subject,
        media_types="HDVideo",
        attendees=[RestAttendeeDTO(name="Alice", phone="+8613800000001", type="normal")],
    )
    conf = c.create_meeting(CreateMeetingRequest(body=body)).body[0]
    chair = next(p.password for p in conf.password_entry if p.conference_role == "chair")
    return conf.conference_id, chair


def start_and_token(c, conf_id, chair):
    c.start_meeting(StartMeetingRequest(body=StartRequest(conference_id=conf_id, password=chair)))
    r = c.create_conf_token(
        CreateConfTokenRequest(conference_id=conf_id, x_password=chair, x_login_type=1)
    )
    return r.data.token


def invite(c, conf_id, token, *attendees):
    return c.invite_participant(
        InviteParticipantRequest(
            conference_id=conf_id,
            x_conference_authorization=token,
            body=RestInviteReqBody(attendees=list(attendees)),
        )
    )


def online(c, conf_id):
    return c.list_online_conf_attendee(
        ListOnlineConfAttendeeRequest(conf_id=conf_id, offset=0, limit=100)
    )


def test_a_wrong_password_is_rejected(fresh):
    c = account_client(fresh, password="wrong-password")
    with pytest.raises(ClientRequestException) as e:
        c.search_meetings(SearchMeetingsRequest())
    assert e.value.status_code == 401
    assert e.value.error_code == "USG.201010001"
    assert len(e.value.request_id) == 32


def test_login_over_https_then_management_calls_over_http(fresh):
    c = account_client(fresh)
    r = c.search_meetings(SearchMeetingsRequest(query_all=True))
    assert r.count == 2
    assert fresh.count(vendor="huawei", operation="CreateToken", status=200) == 1


def test_app_id_login_works_with_the_sdk_signature(fresh):
    creds = (
        MeetingCredentials()
        .with_auth_type_enum(AuthTypeEnum.APP_ID)
        .with_app_id(APP_ID)
        .with_app_key(APP_KEY)
        .with_user_id("thirduser01")
    )
    c = client(fresh, creds, verify=False)
    conf_id, _ = create(c, "from app id")
    assert len(conf_id) == 9
    assert fresh.count(vendor="huawei", operation="CreateAppIdToken", status=200) == 1


def test_app_id_login_with_a_wrong_key_is_rejected(fresh):
    creds = (
        MeetingCredentials()
        .with_auth_type_enum(AuthTypeEnum.APP_ID)
        .with_app_id(APP_ID)
        .with_app_key("wrong-key")
    )
    with pytest.raises(ClientRequestException) as e:
        client(fresh, creds).search_meetings(SearchMeetingsRequest())
    assert (e.value.status_code, e.value.error_code) == (401, "USG.201010025")


def test_the_invite_lifecycle_through_the_sdk(fresh):
    c = account_client(fresh)
    conf_id, chair = create(c)
    assert len(chair) == 6

    # Invite before start: CONF_NOT_STARTED (the control token cannot exist yet either).
    with pytest.raises(ClientRequestException) as e:
        c.create_conf_token(
            CreateConfTokenRequest(conference_id=conf_id, x_password=chair, x_login_type=1)
        )
    assert e.value.error_code == "MMC.111072005"
    with pytest.raises(ClientRequestException) as e:
        invite(c, conf_id, "stbPLACEHOLDER", Attendee(name="Bob", phone="+8613800000002"))
    assert (e.value.status_code, e.value.error_code, e.value.error_msg) == (
        400,
        "MMC.111072005",
        "CONF_NOT_STARTED",
    )

    token = start_and_token(c, conf_id, chair)
    assert token.startswith("stb")

    invite(
        c,
        conf_id,
        token,
        Attendee(name="Bob", role=0, phone="+8613800000002", type="normal"),
        Attendee(name="Carol", email="carol@example.com", sms="+8613800000003", type="outside"),
    )
    r = online(c, conf_id)
    assert r.count == 2
    assert {a.name for a in r.data} == {"Bob", "Carol"}
    assert all(len(a.participant_id) == 32 for a in r.data)
    detail = c.show_meeting_detail(ShowMeetingDetailRequest(conference_id=conf_id))
    assert detail.conference_data.conference_state == "Created"
    assert {p.name for p in detail.data.data} >= {"Alice", "Bob", "Carol"}

    with pytest.raises(ClientRequestException) as e:
        invite(c, "999999999", token, Attendee(name="Bob", phone="+8613800000002"))
    assert e.value.error_code == "MMC.111072065"
    assert e.value.error_msg == "CONF_NOT_FOUND_OR_AUTH_FAILED"

    with pytest.raises(ClientRequestException) as e:
        invite(c, conf_id, token, Attendee(name="NoNumber"))
    assert (e.value.status_code, e.value.error_code) == (400, "MMC.111072031")

    c.lock_meeting(
        LockMeetingRequest(
            conference_id=conf_id, x_conference_authorization=token, body=RestLockReqBody(is_lock=1)
        )
    )
    invite(c, conf_id, token, Attendee(name="Dave", phone="+8613800000004"))
    assert online(c, conf_id).count == 3

    bob = next(a for a in online(c, conf_id).data if a.name == "Bob")
    c.hang_up(
        HangUpRequest(
            conference_id=conf_id,
            x_conference_authorization=token,
            body=RestBulkHangUpReqBody(bulk_hang_up_participants=[bob.participant_id]),
        )
    )
    assert {a.name for a in online(c, conf_id).data} == {"Carol", "Dave"}

    c.stop_meeting(StopMeetingRequest(conference_id=conf_id, x_conference_authorization=token))
    with pytest.raises(ClientRequestException) as e:
        invite(c, conf_id, token, Attendee(name="Eve", phone="+8613800000005"))
    assert e.value.error_code == "MMC.111072005"

    c.cancel_meeting(CancelMeetingRequest(conference_id=conf_id, type=1))
    with pytest.raises(ClientRequestException) as e:
        c.show_meeting_detail(ShowMeetingDetailRequest(conference_id=conf_id))
    assert e.value.error_code == "MMC.111070005"


def test_cancelling_a_running_meeting_needs_type_1(fresh):
    c = account_client(fresh)
    conf_id, chair = create(c)
    start_and_token(c, conf_id, chair)
    with pytest.raises(ClientRequestException) as e:
        c.cancel_meeting(CancelMeetingRequest(conference_id=conf_id))
    assert e.value.error_code == "MMC.111071067"
    c.cancel_meeting(CancelMeetingRequest(conference_id=conf_id, type=1))
    status, m = fresh.admin("GET", f"/meetings/{conf_id}?vendor=huawei")
    assert m["meeting"]["state"] == "cancelled"


def test_111072065_is_a_client_error_from_state_and_a_server_error_in_its_500_form(fresh):
    """Issue 16 item 7: meetmock answers MMC.111072065 with 400 (ClientRequestException); the API
    Explorer's 500 form (scenarios/huawei-conf-not-found-500.yaml) is a ServerResponseException."""
    from huaweicloudsdkcore.exceptions.exceptions import ServerResponseException

    c = account_client(fresh)
    conf_id, chair = create(c)
    token = start_and_token(c, conf_id, chair)
    with pytest.raises(ClientRequestException) as e:
        invite(c, "999999999", token, Attendee(name="Bob", phone="+8613800000002"))
    assert (e.value.status_code, e.value.error_code) == (400, "MMC.111072065")
    with open(fresh_scenario("huawei-conf-not-found-500.yaml")) as f:
        rules = f.read()
    fresh.admin_ok(
        "POST",
        "/faults",
        {
            "name": "conf-not-found-500",
            "match": {"vendor": "huawei", "operation": "InviteParticipant"},
            "when": {"first": 1},
            "response": {
                "status": 500,
                "headers": {"Content-Type": "application/json;charset=UTF-8"},
                "body": '{"error_code":"MMC.111072065","error_msg":"CONF_NOT_FOUND_OR_AUTH_FAILED"}',
            },
        },
    )
    assert "conf-not-found" in rules
    with pytest.raises(ServerResponseException) as e:
        invite(c, conf_id, token, Attendee(name="Bob", phone="+8613800000002"))
    assert (e.value.status_code, e.value.error_code) == (500, "MMC.111072065")


def fresh_scenario(name):
    import pathlib

    return pathlib.Path(__file__).resolve().parents[3] / "scenarios" / name


def test_invitees_ring_then_answer_decline_or_ring_out_in_real_time_info(fresh):
    """Issue 16 item 5: the living invite's call states in Huawei's terms — realTimeInfo
    `state` 1 while the call is placed or ringing, 0 once answered; declined and rung-out calls
    leave the list; ListOnlineConfAttendee counts those calling or in the meeting."""
    fresh.admin_ok("POST", "/clock/freeze", {})
    c = account_client(fresh)
    conf_id = "914673889"
    token = c.create_conf_token(
        CreateConfTokenRequest(conference_id=conf_id, x_password="246810", x_login_type=1)
    ).data.token
    numbers = ["+8613800000001", "+8613800000008", "+8613800000009"]
    invite(c, conf_id, token, *[Attendee(name=n, phone=n) for n in numbers])

    def states():
        info = c.show_real_time_info_of_meeting(
            ShowRealTimeInfoOfMeetingRequest(conference_id=conf_id, x_conference_authorization=token)
        )
        return {p.phone: p.state for p in info.participants}

    assert states() == {**{n: 1 for n in numbers}, "demo@hwcorp": 0}
    assert online(c, conf_id).count == 4
    fresh.admin_ok("POST", "/clock/advance", {"seconds": 30})
    assert states() == {"+8613800000001": 0, "+8613800000008": 1, "demo@hwcorp": 0}
    fresh.admin_ok("POST", "/clock/advance", {"seconds": 30})
    assert states() == {"+8613800000001": 0, "demo@hwcorp": 0}
    assert online(c, conf_id).count == 2
