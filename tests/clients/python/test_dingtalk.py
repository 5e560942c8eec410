"""DingTalk conference_1_0 driven by the official SDK (alibabacloud-dingtalk), exactly as a user
would: Config(protocol='http', endpoint='127.0.0.1:PORT'). conftest removes proxy variables
(the SDK ignores NO_PROXY)."""

import pytest
from alibabacloud_dingtalk.conference_1_0 import models as conf_models
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from alibabacloud_dingtalk.oauth2_1_0 import models as oauth_models
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_util import models as util_models

KEY, SECRET = "dingmockappkey", "mock-app-secret"
HOST, ALICE, BOB = "host-union-0001", "union-alice-0001", "union-bob-0002"


def config(server):
    return open_api_models.Config(protocol="http", endpoint=server.host)


def get_token(server, secret=SECRET):
    client = OAuthClient(config(server))
    req = oauth_models.GetAccessTokenRequest(app_key=KEY, app_secret=secret)
    return client.get_access_token(req).body


@pytest.fixture
def conf(fresh):
    return ConferenceClient(config(fresh)), get_token(fresh).access_token


def headers(cls, token):
    h = cls()
    h.x_acs_dingtalk_access_token = token
    return h


def create(client, token):
    req = conf_models.CreateVideoConferenceRequest(
        user_id=HOST, conf_title="Mock 会议", invite_user_ids=[], invite_caller=False
    )
    h = headers(conf_models.CreateVideoConferenceHeaders, token)
    return client.create_video_conference_with_options(req, h, util_models.RuntimeOptions()).body


def invite(client, token, conf_id, **kwargs):
    req = conf_models.InviteUsersRequest(**kwargs)
    h = headers(conf_models.InviteUsersHeaders, token)
    return client.invite_users_with_options(conf_id, req, h, util_models.RuntimeOptions())


def two_and_a_phone():
    return dict(
        union_id=HOST,
        invitee_list=[
            conf_models.InviteUsersRequestInviteeList(union_id=ALICE, nick="Alice"),
            conf_models.InviteUsersRequestInviteeList(union_id=BOB, nick="Bob"),
        ],
        phone_invitee_list=[
            conf_models.InviteUsersRequestPhoneInviteeList(phone_number="13800000000", nick="Phone Guest")
        ],
    )


def members(client, token, conf_id):
    req = conf_models.QueryConferenceMembersRequest(max_results=20, next_token="0")
    h = headers(conf_models.QueryConferenceMembersHeaders, token)
    return client.query_conference_members_with_options(
        conf_id, req, h, util_models.RuntimeOptions()
    ).body.member_models


def close(client, token, conf_id):
    req = conf_models.CloseVideoConferenceRequest(union_id=HOST)
    h = headers(conf_models.CloseVideoConferenceHeaders, token)
    return client.close_video_conference_with_options(conf_id, req, h, util_models.RuntimeOptions()).body


def test_token_is_issued_for_7200_seconds_and_reused(fresh):
    first = get_token(fresh)
    assert first.expire_in == 7200
    assert len(first.access_token) == 32
    assert get_token(fresh).access_token == first.access_token


def test_wrong_secret_raises_invalid_client_id_or_secret(fresh):
    with pytest.raises(Exception) as e:
        get_token(fresh, "WRONG")
    assert e.value.code == "invalidClientIdOrSecret"
    assert e.value.statusCode == 400


def test_create_returns_ids_in_the_vendor_format(conf):
    client, token = conf
    body = create(client, token)
    assert len(body.conference_id) == 24
    assert len(body.room_code) == 9 and body.room_code.isdigit()
    assert body.external_link_url.startswith("https://")
    assert body.phone_numbers


def test_invited_users_and_phone_show_as_calling_members(conf, server):
    # The demo's invitees answer within seconds: a still clock keeps the calls as placed.
    server.admin_ok("POST", "/clock/freeze", {})
    client, token = conf
    conf_id = create(client, token).conference_id
    assert invite(client, token, conf_id, **two_and_a_phone()).body.success is True
    found = members(client, token, conf_id)
    by_union = {m.union_id: m for m in found if m.union_id}
    assert by_union[ALICE].attend_status == 2 and by_union[ALICE].user_nick == "Alice"
    assert by_union[BOB].attend_status == 2
    phones = [m for m in found if m.pstn_join]
    assert len(phones) == 1 and phones[0].attend_status == 2 and phones[0].user_nick == "Phone Guest"


def test_invite_without_nick_raises_params_error(conf):
    client, token = conf
    conf_id = create(client, token).conference_id
    with pytest.raises(Exception) as e:
        invite(client, token, conf_id, union_id=HOST,
               invitee_list=[conf_models.InviteUsersRequestInviteeList(union_id=ALICE)])
    assert e.value.code == "paramsError"
    assert e.value.statusCode == 400
    assert e.value.data["message"] == "error:nick is empty"
    assert len(members(client, token, conf_id)) == 1


def test_invite_unknown_user_raises_unknown_user_error(conf):
    client, token = conf
    conf_id = create(client, token).conference_id
    with pytest.raises(Exception) as e:
        invite(client, token, conf_id, union_id=HOST,
               invitee_list=[conf_models.InviteUsersRequestInviteeList(union_id="nobody-xyz", nick="Ghost")])
    assert e.value.code == "unknownUserError"
    assert e.value.statusCode == 400


def test_bad_token_raises_invalid_authentication_with_status_400(conf):
    client, token = conf
    conf_id = create(client, token).conference_id
    with pytest.raises(Exception) as e:
        invite(client, "bogus", conf_id, **two_and_a_phone())
    assert e.value.statusCode == 400
    assert e.value.code == "InvalidAuthentication"
    assert e.value.data["requestid"]


def test_query_info_reports_status_then_close_and_invite_after_close(conf):
    client, token = conf
    conf_id = create(client, token).conference_id
    h = headers(conf_models.QueryConferenceInfoHeaders, token)
    info = client.query_conference_info_with_options(conf_id, h, util_models.RuntimeOptions()).body.conf_info
    assert info.status == 1 and info.title == "Mock 会议" and info.creator_id == HOST
    closed = close(client, token, conf_id)
    assert closed.cause == "success" and closed.code == 200
    info = client.query_conference_info_with_options(conf_id, h, util_models.RuntimeOptions()).body.conf_info
    assert info.status == 2
    with pytest.raises(Exception) as e:
        invite(client, token, conf_id, **two_and_a_phone())
    assert e.value.code == "paramsError"
    assert e.value.data["message"] == "error:conference has ended"


def test_lock_then_invite_is_refused(conf):
    client, token = conf
    conf_id = create(client, token).conference_id
    h = headers(conf_models.LockConferenceHeaders, token)
    req = conf_models.LockConferenceRequest(action="lock")
    assert client.lock_conference_with_options(conf_id, req, h, util_models.RuntimeOptions()).body.success
    with pytest.raises(Exception) as e:
        invite(client, token, conf_id, **two_and_a_phone())
    assert e.value.data["message"] == "error:conference is locked"


def test_async_close_with_octet_stream_is_accepted(conf):
    import asyncio

    client, token = conf
    conf_id = create(client, token).conference_id
    req = conf_models.CloseVideoConferenceRequest(union_id=HOST)
    h = headers(conf_models.CloseVideoConferenceHeaders, token)
    body = asyncio.run(
        client.close_video_conference_with_options_async(conf_id, req, h, util_models.RuntimeOptions())
    ).body
    assert body.code == 200


def test_phone_invitee_without_nick_is_called_under_its_number(conf, server):
    # The demo's invitees answer within seconds: a still clock keeps the calls as placed.
    server.admin_ok("POST", "/clock/freeze", {})
    client, token = conf
    conf_id = create(client, token).conference_id
    body = invite(client, token, conf_id, phone_invitee_list=[
        conf_models.InviteUsersRequestPhoneInviteeList(phone_number="13800000005")]).body
    assert body.success is True
    phones = [m for m in members(client, token, conf_id) if m.pstn_join]
    assert [(p.user_nick, p.attend_status) for p in phones] == [("13800000005", 2)]


def test_missing_required_field_is_the_gateways_missing_field(conf):
    client, token = conf
    req = conf_models.CreateVideoConferenceRequest(user_id=HOST)
    h = headers(conf_models.CreateVideoConferenceHeaders, token)
    with pytest.raises(Exception) as e:
        client.create_video_conference_with_options(req, h, util_models.RuntimeOptions())
    assert e.value.code == "MissingconfTitle"
    assert e.value.data["message"] == "confTitle is mandatory for this action."


def test_settings_update_locks_and_invitations_are_refused(conf):
    client, token = conf
    h = headers(conf_models.UpdateVideoConferenceSettingHeaders, token)
    req = conf_models.UpdateVideoConferenceSettingRequest(lock_conference=True)
    body = client.update_video_conference_setting_with_options(
        "607452e01401526ee39609e1", req, h, util_models.RuntimeOptions()).body
    assert (body.case, body.code) == ("success", "200")
    with pytest.raises(Exception) as e:
        invite(client, token, "607452e01401526ee39609e1", **two_and_a_phone())
    assert e.value.data["message"] == "error:conference is locked"


def test_corp_tokens_for_third_party_and_store_apps(fresh):
    client = OAuthClient(config(fresh))
    corp = client.get_corp_access_token(oauth_models.GetCorpAccessTokenRequest(
        suite_key="suite-py", suite_secret="s", auth_corp_id="corp-py", suite_ticket="t")).body
    assert corp.expire_in == 7200
    tok = client.get_token("dingmockcorp0001", oauth_models.GetTokenRequest(
        client_id=KEY, client_secret=SECRET, grant_type="client_credentials")).body
    assert tok.access_token == get_token(fresh).access_token
    with pytest.raises(Exception) as e:
        client.get_token("dingbogus", oauth_models.GetTokenRequest(
            client_id=KEY, client_secret=SECRET, grant_type="client_credentials"))
    assert (e.value.code, e.value.statusCode) == ("unknownError", 500)


def test_strict_tenants_for_dingtalk_refuse_a_misconfigured_app_key(fresh):
    fresh.admin_ok("PUT", "/tenants/strict", {"vendor": "dingtalk", "strict": True})
    client = OAuthClient(config(fresh))
    with pytest.raises(Exception) as e:
        client.get_access_token(oauth_models.GetAccessTokenRequest(app_key="ding-py-typo", app_secret="s"))
    assert e.value.code == "invalidClientIdOrSecret"


def test_a_reset_between_two_apps_never_hands_over_a_cached_token(fresh):
    client = OAuthClient(config(fresh))
    a = client.get_access_token(oauth_models.GetAccessTokenRequest(app_key="ding-py-a", app_secret="a")).body.access_token
    fresh.reset()
    b = client.get_access_token(oauth_models.GetAccessTokenRequest(app_key="ding-py-b", app_secret="b")).body.access_token
    assert a != b
    h = headers(conf_models.QueryUserOnGoingConferenceHeaders, a)
    with pytest.raises(Exception) as e:
        ConferenceClient(config(fresh)).query_user_on_going_conference_with_options(
            conf_models.QueryUserOnGoingConferenceRequest(union_id=HOST), h, util_models.RuntimeOptions())
    assert e.value.code == "InvalidAuthentication"
