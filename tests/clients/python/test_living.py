"""The living invite through the official SDKs: invite with the vendor's client, move the
server clock with the admin API (never sleep), and read what the invitee did back with the
same client. The demo's own behaviours are used, plus one declared through
PUT /__admin/behaviours.
"""

from alibabacloud_dingtalk.conference_1_0 import models as conf_models
from lark_oapi.api.vc.v1 import GetMeetingRequest

from test_dingtalk import ALICE, BOB, HOST as DT_HOST, create, get_token, invite as dt_invite, members
from test_dingtalk import ConferenceClient, config
from test_feishu import APP_ID, HOST, LIVE, client_for, invite, user_option


def feishu_statuses(client):
    got = client.vc.v1.meeting.get(GetMeetingRequest.builder().meeting_id(LIVE).with_participants(True).build())
    assert got.success(), (got.code, got.msg)
    return {p.id: p.status for p in got.data.meeting.participants}


def test_a_feishu_invitee_rings_joins_and_leaves_on_the_server_clock(fresh):
    fresh.admin_ok("POST", "/clock/freeze", {})
    fresh.admin_ok(
        "PUT",
        "/behaviours",
        {"vendor": "feishu", "tenant": APP_ID, "user": "ou_guest_0005",
         "alert": 500, "ring": 3000, "outcome": "accept", "stay": 60000},
    )
    client = client_for(fresh)
    resp = invite(client, user_option(fresh, client), ["ou_guest_0005", "ou_guest_0010"])
    assert resp.success(), (resp.code, resp.msg)
    assert feishu_statuses(client) == {HOST: 2, "ou_guest_0005": 1, "ou_guest_0010": 1}
    fresh.admin_ok("POST", "/clock/advance", {"seconds": 1})
    assert feishu_statuses(client)["ou_guest_0005"] == 3, "ringing"
    fresh.admin_ok("POST", "/clock/advance", {"seconds": 5})
    # ou_guest_0005 answered; the demo's ou_guest_0010 declines.
    assert feishu_statuses(client) == {HOST: 2, "ou_guest_0005": 2, "ou_guest_0010": 4}
    fresh.admin_ok("POST", "/clock/advance", {"seconds": 60})
    assert feishu_statuses(client)["ou_guest_0005"] == 4, "left after the stay"
    kinds = [c["type"] for c in fresh.admin_ok("GET", f"/changes?meeting={LIVE}")["changes"]
             if c.get("participant", {}).get("user_id") == "ou_guest_0005"]
    assert kinds == ["participant_called", "participant_ringing", "participant_joined", "participant_left"]


def test_dingtalk_invitees_answer_as_the_demo_declares(fresh):
    fresh.admin_ok("POST", "/clock/freeze", {})
    client, token = ConferenceClient(config(fresh)), get_token(fresh).access_token
    conf_id = create(client, token).conference_id
    dt_invite(
        client, token, conf_id, union_id=DT_HOST,
        invitee_list=[conf_models.InviteUsersRequestInviteeList(union_id=ALICE, nick="Alice"),
                      conf_models.InviteUsersRequestInviteeList(union_id=BOB, nick="Bob")],
        phone_invitee_list=[conf_models.InviteUsersRequestPhoneInviteeList(phone_number="13900000000", nick="Away")],
    )

    def statuses():
        return {(m.union_id or "phone"): m.attend_status for m in members(client, token, conf_id) if m.union_id != DT_HOST}

    assert statuses() == {ALICE: 2, BOB: 2, "phone": 2}
    fresh.admin_ok("POST", "/clock/advance", {"seconds": 30})
    assert statuses() == {ALICE: 3, BOB: 4, "phone": 2}, "accepted, declined, still ringing"
    fresh.admin_ok("POST", "/clock/advance", {"seconds": 30})
    assert statuses()["phone"] == 4, "rang out after 60 s"
