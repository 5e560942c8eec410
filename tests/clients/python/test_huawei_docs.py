"""Huawei Cloud Meeting driven by a raw client written from Huawei's API reference pages and their
curl examples alone (no SDK, no meetmock code): page meeting_21_0306 (CreateToken), meeting_21_0311
(App ID authentication, HMAC-SHA256 over appId:userId:expireTime:nonce, lowercase hex as the page
shows), meeting_21_0308 (CheckToken: the token in the body), meeting_21_0307 (UpdateToken),
meeting_21_0014 (CreateMeeting), meeting_21_0027 (CreateConfToken: `X-Password` + `X-Login-Type: 1`
only), meeting_21_0030 (InviteParticipant: `X-Conference-Authorization` only), LockMeeting,
StopMeeting and CancelMeeting. Every flow runs over plain HTTP and over HTTPS, trusting the
certificate meetmock writes."""

import base64
import hashlib
import hmac
import time
import uuid

import pytest
import requests

ACCOUNT, PASSWORD = "demo@hwcorp", "Demo@Passw0rd"
APP_ID, APP_KEY = "hwdemoappid0123456789", "HwDemoAppKey0123456789abcdef"
JSON = {"Content-Type": "application/json;charset=UTF-8"}
NUMBERS = {"Bob": "+8613800000002", "Carol": "+8613800000003", "Dave": "+8613800000004", "Eve": "+8613800000005"}


class Doc:
    """The requests the pages show, against one base URL."""

    def __init__(self, server, scheme):
        self.server = server
        self.base = server.base if scheme == "http" else server.https_base
        self.verify = server.cert_path if scheme == "https" else True

    def call(self, method, path, headers=None, body=None):
        h = dict(JSON, **(headers or {}))
        return requests.request(
            method, self.base + path, headers=h, json=body, verify=self.verify, timeout=10
        )

    def login(self):
        basic = base64.b64encode(f"{ACCOUNT}:{PASSWORD}".encode()).decode()
        r = self.call(
            "POST",
            "/v1/usg/acs/auth/account",
            {"Authorization": "Basic " + basic},
            {"account": ACCOUNT, "clientType": 72},
        )
        assert r.status_code == 200, r.text
        return r.json()["accessToken"]

    def create(self, at, **extra):
        body = {"subject": "docs", "length": 60, "mediaTypes": "Voice", **extra}
        r = self.call("POST", "/v1/mmc/management/conferences", {"X-Access-Token": at}, body)
        assert r.status_code == 200, r.text
        conf = r.json()[0]
        chair = next(p["password"] for p in conf["passwordEntry"] if p["conferenceRole"] == "chair")
        return conf["conferenceID"], chair

    def start(self, at, conf, chair):
        r = self.call(
            "POST",
            "/v1/mmc/management/conferences/start",
            {"X-Access-Token": at},
            {"conferenceID": conf, "password": chair},
        )
        assert r.status_code == 200, r.text

    def conf_token(self, conf, chair):
        return self.call(
            "GET",
            f"/v1/mmc/control/conferences/token?conferenceID={conf}",
            {"X-Password": chair, "X-Login-Type": "1"},
        )

    def control(self, method, op, conf, ct, body=None):
        return self.call(
            method,
            f"/v1/mmc/control/conferences/{op}?conferenceID={conf}",
            {"X-Conference-Authorization": ct},
            body,
        )

    def invite(self, conf, ct, *names):
        attendees = [{"name": n, "phone": NUMBERS[n], "type": "normal"} for n in names]
        return self.control("POST", "participants", conf, ct, {"attendees": attendees})


def refused(r, status, code, msg):
    assert r.status_code == status, r.text
    assert r.json() == {"error_code": code, "error_msg": msg} or (
        r.json()["error_code"] == code and r.json()["error_msg"] == msg
    ), r.text
    assert len(r.headers["X-Request-Id"]) == 32


@pytest.fixture(params=["http", "https"])
def doc(fresh, request):
    return Doc(fresh, request.param)


def test_basic_login_then_token_upkeep(doc):
    at = doc.login()
    r = doc.call("POST", "/v1/usg/acs/token/validate", body={"token": at, "needGenNewToken": False})
    assert r.status_code == 200, r.text
    assert r.json()["accessToken"] == at
    r = doc.call("PUT", "/v1/usg/acs/token", {"X-Access-Token": at})
    assert r.status_code == 200, r.text
    assert r.json()["accessToken"] != at


def test_app_id_login_with_the_documented_signature(doc):
    expire = int(time.time()) + 600
    nonce = uuid.uuid4().hex
    data = f"{APP_ID}:docuser01:{expire}:{nonce}"
    sig = hmac.new(APP_KEY.encode(), data.encode(), hashlib.sha256).hexdigest()
    r = doc.call(
        "POST",
        "/v2/usg/acs/auth/appauth",
        {"Authorization": f"HMAC-SHA256 signature={sig}", "X-Token-Type": "LongTicket"},
        {"appId": APP_ID, "clientType": 72, "expireTime": expire, "nonce": nonce, "userId": "docuser01"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["accessToken"].startswith("stb")


def test_the_invite_flow_with_documented_headers_only(doc):
    at = doc.login()
    conf, chair = doc.create(at, startTime="2030-01-01 08:00")
    r = doc.call("GET", f"/v1/mmc/management/conferences/confDetail?conferenceID={conf}", {"X-Access-Token": at})
    assert r.json()["conferenceData"]["conferenceState"] == "Schedule"

    refused(doc.conf_token(conf, chair), 400, "MMC.111072005", "CONF_NOT_STARTED")
    refused(doc.invite(conf, "stbPLACEHOLDER", "Bob"), 400, "MMC.111072005", "CONF_NOT_STARTED")

    doc.start(at, conf, chair)
    r = doc.conf_token(conf, chair)
    assert r.status_code == 200, r.text
    ct = r.json()["data"]["token"]
    assert r.json()["data"]["wsURL"] == doc.server.host

    assert doc.invite(conf, ct, "Bob").status_code == 200
    refused(doc.invite("999999999", ct, "Bob"), 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED")
    assert doc.control("PUT", "lock", conf, ct, {"isLock": 1}).status_code == 200
    assert doc.invite(conf, ct, "Carol").status_code == 200, "a locked meeting still takes host invitations"
    r = doc.call(
        "GET",
        f"/v1/mmc/management/conferences/online/conf-attendee?conf_id={conf}&offset=0&limit=100",
        {"X-Access-Token": at},
    )
    assert r.json()["count"] == 2

    assert doc.control("PUT", "stop", conf, ct).status_code == 200
    refused(doc.invite(conf, ct, "Eve"), 400, "MMC.111072005", "CONF_NOT_STARTED")
    doc.start(at, conf, chair)
    ct = doc.conf_token(conf, chair).json()["data"]["token"]
    r = doc.call("DELETE", f"/v1/mmc/management/conferences?conferenceID={conf}&type=1", {"X-Access-Token": at})
    assert r.status_code == 200, r.text
    refused(doc.invite(conf, ct, "Eve"), 400, "MMC.111072006", "CONF_IS_CLOSED")


def test_over_capacity_and_an_expired_control_token(doc):
    at = doc.login()
    conf, chair = doc.create(at, concurrentParticipants=2)
    doc.start(at, conf, chair)
    ct = doc.conf_token(conf, chair).json()["data"]["token"]
    assert doc.invite(conf, ct, "Bob", "Carol").status_code == 200
    refused(doc.invite(conf, ct, "Dave"), 400, "MMC.111072101", "OVER_MAX_PARTICIPANT_NUMBER")
    doc.server.admin_ok("POST", "/clock/advance", {"seconds": 1801})
    refused(doc.invite(conf, ct, "Dave"), 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED")


def test_wrong_chair_passwords_lock_control_login(doc):
    at = doc.login()
    conf, chair = doc.create(at)
    doc.start(at, conf, chair)
    for _ in range(5):
        refused(doc.conf_token(conf, "000000"), 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED")
    refused(doc.conf_token(conf, chair), 400, "MMC.111072064", "CONF_CTR_LOGIN_LOCKED")
    doc.server.admin_ok("POST", "/clock/advance", {"seconds": 300})
    assert doc.conf_token(conf, chair).status_code == 200
