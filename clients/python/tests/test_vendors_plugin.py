"""The other three vendors' tenant fixtures, each driven by its official SDK: DingTalk
(alibabacloud-dingtalk) through a declared decline on the clock, Tencent (wemeet-openapi-sdk-
python) signed with the tenant's fresh keys, Huawei (huaweicloudsdkmeeting) logging in with the
tenant's account over https on the certificate the fixture wrote.
"""

import os

import pytest

for _v in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_v, None)  # the DingTalk SDK ignores NO_PROXY

from alibabacloud_dingtalk.conference_1_0 import models as dt
from alibabacloud_dingtalk.conference_1_0.client import Client as Conference
from alibabacloud_dingtalk.oauth2_1_0 import models as oauth
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuth
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_util.models import RuntimeOptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkmeeting.v1 import (
    Attendee,
    CreateConfTokenRequest,
    InviteParticipantRequest,
    MeetingClient,
    RestInviteReqBody,
)
from huaweicloudsdkmeeting.v1.meeting_credentials import MeetingCredentials
import wemeet_openapi
from wemeet_openapi.core.constants import JSON_SERIALIZER
from wemeet_openapi.core.xhttp.client import Client as HttpClient
from wemeet_openapi.service.meetings import (
    ApiV1MeetingsMeetingIdInviteesPutRequest,
    V1MeetingsMeetingIdInviteesPutRequest,
)


def dingtalk_invite(meetmock, tenant, *union_ids):
    cfg = Config(protocol="http", endpoint=meetmock.host)
    c = tenant.credentials
    token = OAuth(cfg).get_access_token(
        oauth.GetAccessTokenRequest(app_key=c["app_key"], app_secret=c["app_secret"])).body.access_token
    h = dt.InviteUsersHeaders()
    h.x_acs_dingtalk_access_token = token
    req = dt.InviteUsersRequest(union_id=tenant.users["host"], invitee_list=[
        dt.InviteUsersRequestInviteeList(union_id=u, nick=u) for u in union_ids])
    return Conference(cfg).invite_users_with_options(tenant.meetings["live"], req, h, RuntimeOptions())


def test_dingtalk_a_declared_decline_happens_when_the_test_moves_the_clock(meetmock, dingtalk_tenant):
    meetmock.freeze()
    bob = dingtalk_tenant.users["bob"]
    dingtalk_tenant.behave(user=bob, alert=200, ring=1000, outcome="decline")
    assert dingtalk_invite(meetmock, dingtalk_tenant, bob).status_code == 200
    dingtalk_tenant.assert_called(1, operation="InviteUsers", status=200)
    pending = dingtalk_tenant.pending()
    assert pending["calls"] and pending["next_due_ms"] is not None
    assert dingtalk_tenant.changes(type="participant_declined") == []
    meetmock.advance(2)
    declined = dingtalk_tenant.changes(type="participant_declined")
    assert len(declined) == 1 and declined[0]["meeting"]["id"] == dingtalk_tenant.meetings["live"]


def test_dingtalk_a_tenant_fault_by_code_reaches_the_sdk_as_its_exception(meetmock, dingtalk_tenant):
    dingtalk_tenant.add_fault(match={"operation": "InviteUsers"}, error="Forbidden.AccessDenied.QpsLimitForApi")
    with pytest.raises(Exception) as e:
        dingtalk_invite(meetmock, dingtalk_tenant, dingtalk_tenant.users["alice"])
    assert "QpsLimitForApi" in str(e.value)


def test_tencent_the_tenants_fresh_keys_sign_a_set_invitees(meetmock, tencent_tenant):
    c = tencent_tenant.credentials
    clt = HttpClient(host=meetmock.host, protocol="http", serializer=JSON_SERIALIZER)
    client = wemeet_openapi.Client(app_id=c["app_id"], sdk_id=c["sdk_id"], secret_id=c["secret_id"],
                                   secret_key=c["secret_key"], clt=clt)
    resp = client.meetings_api.v1_meetings_meeting_id_invitees_put(
        ApiV1MeetingsMeetingIdInviteesPutRequest(
            meeting_id=tencent_tenant.meetings["scheduled"],
            body=V1MeetingsMeetingIdInviteesPutRequest(
                instanceid=1, userid="host",
                invitees=[{"userid": "guest1"}, {"userid": "unregistered"}])),
        authenticator_options=[wemeet_openapi.JWTAuthenticator().options_build()])
    assert resp.data.user_non_registered == ["unregistered"]
    tencent_tenant.assert_count(1, operation="v1_meetings_meeting_id_invitees_put", status=200)
    invited = tencent_tenant.meeting("scheduled")["invitees"]
    assert [i["user_id"] for i in invited] == ["guest1"]  # the unregistered one is not stored


def test_huawei_the_tenants_account_invites_over_the_fixtures_certificate(meetmock, huawei_tenant):
    c = huawei_tenant.credentials
    cfg = HttpConfig.get_default_config()
    cfg.ssl_ca_cert = meetmock.cert_path  # the SDK logs in over https on the same port
    client = (MeetingClient.new_builder().with_http_config(cfg)
              .with_credentials(MeetingCredentials(c["account"], c["password"]))
              .with_endpoint(meetmock.url).build())
    conf_id = huawei_tenant.meetings["live"]
    chair = huawei_tenant.spec["meetings"][0]["extra"]["chairPassword"]
    token = client.create_conf_token(
        CreateConfTokenRequest(conference_id=conf_id, x_password=chair, x_login_type=1)).data.token
    resp = client.invite_participant(InviteParticipantRequest(
        conference_id=conf_id, x_conference_authorization=token,
        body=RestInviteReqBody(attendees=[Attendee(name="Alice", phone="+8613900000001")])))
    assert resp.status_code == 200
    huawei_tenant.assert_called(1, operation="InviteParticipant", status=200)
    called = huawei_tenant.changes(type="participant_called")
    assert called and called[-1]["meeting"]["id"] == conf_id
