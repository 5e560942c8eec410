"""DingTalk written from the documents alone (plain `requests`, no SDK), where they say more
than the SDK: the gateway's refusal of a form-encoded body, the phone invitee whose nick the
invite page marks not required, the unknown-route message, and the old gateway's user lookup
("Query user details") that the create and invite pages send integrators to for unionIds."""

import requests

KEY, SECRET = "dingmockappkey", "mock-app-secret"
CONF = "607452e01401526ee39609e1"


def token(server):
    r = requests.post(f"{server.base}/v1.0/oauth2/accessToken",
                      json={"appKey": KEY, "appSecret": SECRET}, timeout=10)
    assert r.status_code == 200
    return r.json()["accessToken"]


def test_a_form_encoded_body_is_missingbody(fresh):
    r = requests.post(f"{fresh.base}/v1.0/oauth2/accessToken",
                      data={"appKey": KEY, "appSecret": SECRET}, timeout=10)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "Missingbody"
    assert body["message"] == "body is mandatory for this action."
    assert body["requestid"] == r.headers["x-acs-request-id"]


def test_the_invite_pages_example_with_a_phone_invitee_without_nick(fresh):
    tok = token(fresh)
    r = requests.post(
        f"{fresh.base}/v1.0/conference/videoConferences/{CONF}/users/invite",
        headers={"x-acs-dingtalk-access-token": tok},
        json={"unionId": "host-union-0001", "phoneInviteeList": [{"phoneNumber": "13800000006"}]},
        timeout=10)
    assert r.status_code == 200, r.text
    assert r.json() == {"success": True}


def test_an_unknown_route_is_the_gateways_404(fresh):
    r = requests.post(f"{fresh.base}/v1.0/oauth2/token", json={}, timeout=10)
    assert r.status_code == 404
    assert r.json()["code"] == "InvalidAction.NotFound"
    assert r.json()["message"] == "Specified api is not found, please check your url and method."


def test_query_user_details_gives_the_union_id_to_invite(fresh):
    tok = token(fresh)
    r = requests.post(f"{fresh.base}/topapi/v2/user/get", params={"access_token": tok},
                      json={"userid": "user0002", "language": "zh_CN"}, timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert (body["errcode"], body["errmsg"]) == (0, "ok")
    assert body["result"]["unionid"] == "union-bob-0002"
    r = requests.post(f"{fresh.base}/topapi/v2/user/get", params={"access_token": "bogus"},
                      json={"userid": "user0002"}, timeout=10)
    assert r.status_code == 200 and r.json()["errcode"] == 88
