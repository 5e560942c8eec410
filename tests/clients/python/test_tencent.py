"""Tencent Meeting through the official SDK `wemeet-openapi-sdk-python` (+ requests-toolbelt).

The SDK is used exactly as a user would: `wemeet_openapi.Client` with a custom HTTP client
(`protocol="http"`, the JSON serializer: without it request bodies are silently dropped) and a
fresh `JWTAuthenticator` per call (one instance resends its nonce: a replay).
"""

import pytest
import wemeet_openapi
from wemeet_openapi.core.constants import JSON_SERIALIZER
from wemeet_openapi.core.exception import ServiceException
from wemeet_openapi.core.xhttp.client import Client as HttpClient
from wemeet_openapi.service.meetings import (
    ApiV1MeetingsMeetingIdCancelPostRequest,
    ApiV1MeetingsMeetingIdGetRequest,
    ApiV1MeetingsMeetingIdInviteesGetRequest,
    ApiV1MeetingsMeetingIdInviteesPutRequest,
    ApiV1MeetingsPostRequest,
    V1MeetingsMeetingIdCancelPostRequest,
    V1MeetingsMeetingIdInviteesPutRequest,
    V1MeetingsPostRequest,
)

APP_ID = "211000001"
SDK_ID = "28370000001"
SECRET_ID = "AKIDmeetmockDemoSecretId0001"
SECRET_KEY = "meetmockDemoSecretKey0001"
SCHEDULED = "5417310002754750436"


def client(server, secret_key=SECRET_KEY, prefix=""):
    clt = HttpClient(host=server.host + prefix, protocol="http", serializer=JSON_SERIALIZER)
    return wemeet_openapi.Client(
        app_id=APP_ID, sdk_id=SDK_ID, secret_id=SECRET_ID, secret_key=secret_key, clt=clt
    )


def auth():
    return [wemeet_openapi.JWTAuthenticator().options_build()]


def set_invitees(c, meeting_id, userid, invitees):
    body = V1MeetingsMeetingIdInviteesPutRequest(
        instanceid=1, userid=userid, invitees=[{"userid": u} for u in invitees]
    )
    return c.meetings_api.v1_meetings_meeting_id_invitees_put(
        ApiV1MeetingsMeetingIdInviteesPutRequest(meeting_id=meeting_id, body=body),
        authenticator_options=auth(),
    )


def list_page(c, meeting_id, userid, pos=0):
    req = ApiV1MeetingsMeetingIdInviteesGetRequest(
        meeting_id=meeting_id, userid=userid, instanceid="1", pos=str(pos)
    )
    return c.meetings_api.v1_meetings_meeting_id_invitees_get(req, authenticator_options=auth()).data


def list_all(c, meeting_id, userid="userA"):
    out, pos, pages = [], 0, 0
    while True:
        page = list_page(c, meeting_id, userid, pos)
        pages += 1
        out += [i.userid for i in (page.invitees or [])]
        if not page.has_remaining:
            return out, pages
        pos = page.next_pos


def stored(server, meeting_id=SCHEDULED):
    m = server.admin_ok("GET", f"/meetings/{meeting_id}?vendor=tencent")["meeting"]
    return [i["user_id"] for i in m.get("invitees", [])]


def error_of(excinfo):
    e = excinfo.value
    assert isinstance(e, ServiceException)
    assert e.error_info is not None, e.api_resp.raw_body
    return e.api_resp.status_code, e.error_info.error_code, e.error_info.message


def test_create_meeting_returns_ids_and_unregistered_invitees(fresh):
    c = client(fresh)
    body = V1MeetingsPostRequest(
        userid="userA", instanceid=1, subject="探针会议 probe", type=0,
        start_time="1893484800", end_time="1893488400",
        invitees=[{"userid": "userB"}, {"userid": "ghost_u"}],
    )
    resp = c.meetings_api.v1_meetings_post(ApiV1MeetingsPostRequest(body=body), authenticator_options=auth())
    info = resp.data.meeting_info_list[0]
    assert resp.data.meeting_number == 1
    assert len(info.meeting_code) == 9
    assert info.user_non_registered == ["ghost_u"]
    got = c.meetings_api.v1_meetings_meeting_id_get(
        ApiV1MeetingsMeetingIdGetRequest(
            meeting_id=info.meeting_id, operator_id="userA", operator_id_type="1", instanceid="1"
        ),
        authenticator_options=auth(),
    ).data.meeting_info_list[0]
    assert got.subject == "探针会议 probe"
    assert got.status == "MEETING_STATE_INIT"


def test_set_three_plus_one_unregistered_then_list(fresh):
    c = client(fresh)
    resp = set_invitees(c, SCHEDULED, "userA", ["userB", "userC", "userD", "ghost_u"])
    assert resp.data.user_non_registered == ["ghost_u"]
    assert list_all(c, SCHEDULED) == (["userB", "userC", "userD"], 1)
    assert stored(fresh) == ["userB", "userC", "userD"]


def test_overwrite_with_a_smaller_list_then_clear(fresh):
    c = client(fresh)
    set_invitees(c, SCHEDULED, "userA", ["userB", "userC", "userD"])
    resp = set_invitees(c, SCHEDULED, "userA", ["userE"])
    assert not resp.data.user_non_registered
    assert list_all(c, SCHEDULED)[0] == ["userE"]
    set_invitees(c, SCHEDULED, "userA", [])  # the SDK omits the `invitees` key
    assert list_all(c, SCHEDULED)[0] == []
    assert stored(fresh) == []


def test_a_non_creator_gets_403_9042_and_nothing_changes(fresh):
    c = client(fresh)
    set_invitees(c, SCHEDULED, "userA", ["userB"])
    with pytest.raises(ServiceException) as ei:
        set_invitees(c, SCHEDULED, "userB", ["userC"])
    assert error_of(ei)[:2] == (403, 9042)
    with pytest.raises(ServiceException) as ei:
        list_page(c, SCHEDULED, "userB")
    assert error_of(ei)[:2] == (403, 9042)
    assert stored(fresh) == ["userB"]


def _bulk_users(server, n):
    ids = [f"sdk{i:05d}" for i in range(n)]
    server.admin_ok("POST", f"/tenants/tencent/{APP_ID}/users", {"users": [{"id": u, "name": u} for u in ids]})
    return ids


def test_two_thousand_invitees_come_back_over_ten_pages(fresh):
    c = client(fresh)
    ids = _bulk_users(fresh, 2100)[:2000]
    set_invitees(c, SCHEDULED, "userA", ids)
    got, pages = list_all(c, SCHEDULED)
    assert pages == 10
    assert got == ids


def test_two_thousand_and_one_invitees_are_rejected_and_the_list_is_unchanged(fresh):
    c = client(fresh)
    ids = _bulk_users(fresh, 2001)
    set_invitees(c, SCHEDULED, "userA", ["userB"])
    with pytest.raises(ServiceException) as ei:
        set_invitees(c, SCHEDULED, "userA", ids)
    assert error_of(ei)[:2] == (400, 190004)
    assert stored(fresh) == ["userB"]


def test_an_unknown_meeting_is_400_190457(fresh):
    with pytest.raises(ServiceException) as ei:
        set_invitees(client(fresh), "1234567890123456789", "userA", ["userB"])
    assert error_of(ei)[:2] == (400, 190457)


def test_a_wrong_secret_key_is_signature_failed(fresh):
    with pytest.raises(ServiceException) as ei:
        set_invitees(client(fresh, secret_key="wrong"), SCHEDULED, "userA", ["userB"])
    assert error_of(ei) == (500, 200003, "Signature failed!")
    assert ei.value.error_info.new_error_code == 200200003
    assert stored(fresh) == []


def test_reusing_one_authenticator_is_a_replay_190301(fresh):
    c = client(fresh)
    one = [wemeet_openapi.JWTAuthenticator().options_build()]
    req = ApiV1MeetingsMeetingIdInviteesGetRequest(meeting_id=SCHEDULED, userid="userA", instanceid="1", pos="0")
    c.meetings_api.v1_meetings_meeting_id_invitees_get(req, authenticator_options=one)
    with pytest.raises(ServiceException) as ei:
        c.meetings_api.v1_meetings_meeting_id_invitees_get(req, authenticator_options=one)
    assert error_of(ei)[:2] == (400, 190301)


def test_a_host_with_a_path_prefix_is_signed_and_served(fresh):
    c = client(fresh, prefix="/tencent")
    set_invitees(c, SCHEDULED, "userA", ["userC"])
    assert list_all(c, SCHEDULED)[0] == ["userC"]


def test_cancel_answers_empty_and_a_second_cancel_is_9007(fresh):
    c = client(fresh)

    def cancel():
        body = V1MeetingsMeetingIdCancelPostRequest(instanceid=1, reason_code=1, userid="userA")
        return c.meetings_api.v1_meetings_meeting_id_cancel_post(
            ApiV1MeetingsMeetingIdCancelPostRequest(meeting_id=SCHEDULED, body=body),
            authenticator_options=auth(),
        )

    cancel()
    m = fresh.admin_ok("GET", f"/meetings/{SCHEDULED}?vendor=tencent")["meeting"]
    assert m["state"] == "cancelled"
    with pytest.raises(ServiceException) as ei:
        cancel()
    assert error_of(ei) == (500, 9007, "MEETING CANCLED")


def test_a_user_created_through_the_sdk_is_then_stored_as_an_invitee(fresh):
    from wemeet_openapi.service.user_manager import (
        ApiV1UsersPostRequest, ApiV1UsersUseridGetRequest, V1UsersPostRequest)

    c = client(fresh)
    assert set_invitees(c, SCHEDULED, "userA", ["sdkuser"]).data.user_non_registered == ["sdkuser"]
    created = c.user_manager_api.v1_users_post(
        ApiV1UsersPostRequest(body=V1UsersPostRequest(
            operator_id="userA", operator_id_type=1, userid="sdkuser", username="SDK User",
            phone="13700000001")),
        authenticator_options=auth()).data
    assert created.userid == "sdkuser"
    got = c.user_manager_api.v1_users_userid_get(
        ApiV1UsersUseridGetRequest(userid="sdkuser", operator_id="userA", operator_id_type="1"),
        authenticator_options=auth()).data
    assert (got.username, got.status) == ("SDK User", "1")
    assert not set_invitees(c, SCHEDULED, "userA", ["sdkuser"]).data.user_non_registered
    assert stored(fresh) == ["sdkuser"]
