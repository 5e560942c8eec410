"""The README's pytest example, run by the compose example's `tests` service against the
`meetmock` service (MEETMOCK_URL), and by tests/container/test_compose.py outside containers."""

import lark_oapi as lark
from lark_oapi.api.vc.v1 import InviteMeetingRequest, InviteMeetingRequestBody, MeetingUser


def test_invite(meetmock, feishu_tenant):  # one server per session, a new tenant per test
    c = feishu_tenant.credentials
    client = (lark.Client.builder().app_id(c["app_id"]).app_secret(c["app_secret"])
              .domain(meetmock.url).oauth_base_url(meetmock.url).enable_set_token(True).build())
    user = client.access_token.retrieve_by_authorization_code(feishu_tenant.login_code())
    guest = MeetingUser.builder().id(feishu_tenant.guests[0]).user_type(1).build()
    req = (InviteMeetingRequest.builder().meeting_id(feishu_tenant.meetings["live"])
           .user_id_type("open_id").request_body(InviteMeetingRequestBody.builder()
                                                 .invitees([guest]).build()).build())
    resp = client.vc.v1.meeting.invite(req, lark.RequestOption.builder().user_access_token(user.access_token).build())
    assert resp.success(), (resp.code, resp.msg)
    feishu_tenant.assert_count(1, operation="meeting.invite", status=200)
