"""Tencent Meeting around the invite flow through the official SDK `wemeet-openapi-sdk-python`:
guests (`meeting_guest_api`), the waiting room (`meetings_api` lists, `meeting_control_api`
control), mutes and names, and the uuid forms of the user directory (`user_manager_api`).
Every call builds a fresh `JWTAuthenticator` (see test_tencent.py).
"""

import base64

import pytest
from test_tencent import SCHEDULED, auth, client, error_of
from wemeet_openapi.core.exception import ServiceException
from wemeet_openapi.service.meeting_control import (
    ApiV1RealControlMeetingsMeetingIdMutesPutRequest,
    ApiV1RealControlMeetingsMeetingIdNamesPutRequest,
    ApiV1RealControlMeetingsMeetingIdStatusPutRequest,
    ApiV1RealControlMeetingsMeetingIdWaitingRoomPutRequest,
    V1RealControlMeetingsMeetingIdMutesPutRequest,
    V1RealControlMeetingsMeetingIdNamesPutRequest,
    V1RealControlMeetingsMeetingIdStatusPutRequest,
    V1RealControlMeetingsMeetingIdWaitingRoomPutRequest,
)
from wemeet_openapi.service.meeting_guest import (
    ApiV1GuestsMeetingIdGetRequest,
    ApiV1GuestsMeetingIdPutRequest,
    V1GuestsMeetingIdPutRequest,
)
from wemeet_openapi.service.meetings import (
    ApiV1MeetingMeetingIdWaitingRoomGetRequest,
    ApiV1MeetingsMeetingIdRealTimeParticipantsGetRequest,
    ApiV1MeetingsMeetingIdWaitingRoomParticipantsGetRequest,
)
from wemeet_openapi.service.user_manager import (
    ApiV1UsersDeleteRequest,
    ApiV1UsersGetRequest,
    ApiV1UsersPutRequest,
    ApiV1UsersUseridGetRequest,
    V1UsersPutRequest,
)

RUNNING = "5417310002754750437"


def b64(s):
    return base64.b64encode(s.encode()).decode()


def put_guests(c, meeting, who, guests):
    body = V1GuestsMeetingIdPutRequest(guests=guests, instanceid=1, userid=who)
    return c.meeting_guest_api.v1_guests_meeting_id_put(
        ApiV1GuestsMeetingIdPutRequest(meeting_id=meeting, body=body), authenticator_options=auth())


def get_guests(c, meeting, who):
    return c.meeting_guest_api.v1_guests_meeting_id_get(
        ApiV1GuestsMeetingIdGetRequest(meeting_id=meeting, userid=who, instanceid="1"),
        authenticator_options=auth()).data


def test_guests_are_set_read_and_cleared_through_the_sdk(fresh):
    c = client(fresh)
    put_guests(c, SCHEDULED, "userA", [{"area": "86", "phone_number": "13800000001", "guest_name": "嘉宾"}])
    got = get_guests(c, SCHEDULED, "userA")
    assert got.meeting_id == SCHEDULED
    assert [(g.area, g.phone_number, g.guest_name) for g in got.guests] == [("86", "13800000001", "嘉宾")]
    put_guests(c, SCHEDULED, "userA", [])  # the SDK omits the empty `guests` key
    assert not getattr(get_guests(c, SCHEDULED, "userA"), "guests", None)
    with pytest.raises(ServiceException) as ei:
        put_guests(c, SCHEDULED, "userB", [{"area": "86", "phone_number": "13800000001"}])
    assert error_of(ei) == (500, 9042, "权限受限或鉴权失败。")


def live(c, meeting=RUNNING):
    return c.meetings_api.v1_meetings_meeting_id_real_time_participants_get(
        ApiV1MeetingsMeetingIdRealTimeParticipantsGetRequest(
            meeting_id=meeting, operator_id="userA", operator_id_type="1", page="1", page_size="20"),
        authenticator_options=auth()).data


def waiting(c, meeting=RUNNING):
    return c.meetings_api.v1_meetings_meeting_id_waiting_room_participants_get(
        ApiV1MeetingsMeetingIdWaitingRoomParticipantsGetRequest(
            meeting_id=meeting, userid="userA", page="1", page_size="10"),
        authenticator_options=auth()).data


def room(c, kind, ms_open_id, **extra):
    body = V1RealControlMeetingsMeetingIdWaitingRoomPutRequest(
        instanceid=1, operate_type=kind, operator_id="userA", operator_id_type=1,
        users=[{"instanceid": 1, "to_operator_id": ms_open_id, "to_operator_id_type": 4}], **extra)
    return c.meeting_control_api.v1_real_control_meetings_meeting_id_waiting_room_put(
        ApiV1RealControlMeetingsMeetingIdWaitingRoomPutRequest(meeting_id=RUNNING, body=body),
        authenticator_options=auth())


def test_the_waiting_room_holds_a_joiner_until_the_sdk_admits_them(fresh):
    c = client(fresh)
    on = V1RealControlMeetingsMeetingIdStatusPutRequest(
        instanceid=1, operator_id="userA", operator_id_type=1, auto_waiting_room=True)
    c.meeting_control_api.v1_real_control_meetings_meeting_id_status_put(
        ApiV1RealControlMeetingsMeetingIdStatusPutRequest(meeting_id=RUNNING, body=on),
        authenticator_options=auth())
    fresh.admin_ok("POST", f"/meetings/{RUNNING}/join", {"vendor": "tencent", "user": "userD"})
    w = waiting(c)
    assert w.total_count == 1
    held = w.participants[0]
    assert (held.userid, held.user_name) == ("userD", b64("Dave"))
    assert "userD" not in [p.userid for p in live(c).participants or []]
    room(c, 1, held.ms_open_id)
    assert not waiting(c).total_count
    assert "userD" in [p.userid for p in live(c).participants]
    records = c.meetings_api.v1_meeting_meeting_id_waiting_room_get(
        ApiV1MeetingMeetingIdWaitingRoomGetRequest(
            meeting_id=RUNNING, operator_id="userA", operator_id_type="1", page="1", page_size="20"),
        authenticator_options=auth()).data
    assert [(p.userid, p.instanceid) for p in records.participants] == [("userD", "1")]
    room(c, 2, held.ms_open_id)
    room(c, 3, held.ms_open_id, allow_rejoin=False)
    status, body = fresh.admin("POST", f"/meetings/{RUNNING}/join", {"vendor": "tencent", "user": "userD"})
    assert status == 409, body
    with pytest.raises(ServiceException) as ei:
        room(c, 2, held.ms_open_id)
    assert error_of(ei) == (500, 202007, "成员不在会中。")


def test_mute_and_rename_through_the_sdk_show_in_real_time_participants(fresh):
    c = client(fresh)
    mute = V1RealControlMeetingsMeetingIdMutesPutRequest(
        instanceid=1, mute=True, operator_id="userA", operator_id_type=1,
        user={"instanceid": 1, "to_operator_id": "userB", "to_operator_id_type": 4})
    c.meeting_control_api.v1_real_control_meetings_meeting_id_mutes_put(
        ApiV1RealControlMeetingsMeetingIdMutesPutRequest(meeting_id=RUNNING, body=mute),
        authenticator_options=auth())
    names = V1RealControlMeetingsMeetingIdNamesPutRequest(
        instanceid=1, operator_id="userA", operator_id_type=1,
        users=[{"instanceid": 1, "ms_open_id": "userB", "nick_name": "鲍勃"}])
    c.meeting_control_api.v1_real_control_meetings_meeting_id_names_put(
        ApiV1RealControlMeetingsMeetingIdNamesPutRequest(meeting_id=RUNNING, body=names),
        authenticator_options=auth())
    bob = [p for p in live(c).participants if p.userid == "userB"][0]
    assert (bob.user_name, bob.audio_state) == (b64("鲍勃"), False)


def test_a_user_is_read_changed_and_deleted_by_uuid_through_the_sdk(fresh):
    c = client(fresh)
    uuid = c.user_manager_api.v1_users_userid_get(
        ApiV1UsersUseridGetRequest(userid="userE", operator_id="userA", operator_id_type="1"),
        authenticator_options=auth()).data.uuid
    got = c.user_manager_api.v1_users_get(
        ApiV1UsersGetRequest(uuid=uuid, operator_id="userA", operator_id_type="1"),
        authenticator_options=auth()).data
    assert (got.userid, got.username) == ("userE", "Erin")
    c.user_manager_api.v1_users_put(
        ApiV1UsersPutRequest(uuid=uuid, body=V1UsersPutRequest(
            operator_id="userA", operator_id_type=1, username="Erin Two")),
        authenticator_options=auth())
    again = c.user_manager_api.v1_users_get(
        ApiV1UsersGetRequest(uuid=uuid, operator_id="userA", operator_id_type="1"),
        authenticator_options=auth()).data
    assert again.username == "Erin Two"
    c.user_manager_api.v1_users_delete(
        ApiV1UsersDeleteRequest(uuid=uuid, operator_id="userA", operator_id_type="1"),
        authenticator_options=auth())
    with pytest.raises(ServiceException) as ei:
        c.user_manager_api.v1_users_get(
            ApiV1UsersGetRequest(uuid=uuid, operator_id="userA", operator_id_type="1"),
            authenticator_options=auth())
    assert error_of(ei) == (400, 20001, "用户不存在。")
