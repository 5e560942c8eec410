"""DingTalk HTTP push consumed by DingTalk's own callback helper, `DingCallbackCrypto3`, in a small
local HTTP server exactly as the helper's README shows an app (notes: shared/vendors/
dingtalk-events.md §4.1): read `msg_signature` (else `signature`), `timeStamp` (else
`timestamp`) and `nonce` from the query and `encrypt` from the body, `getDecryptMsg` (which
raises on a bad signature or owner key), answer `getEncryptedMap("success")`.

The conference is created, invited to, kicked from and closed through the official SDK
(`alibabacloud-dingtalk`); the demo's invitees answer on the server clock (the living invite).
The failed-push list is read back through the SDK's `event_1_0` GetCallBackFaileResult.

The helper is a copy-in file the vendor tells apps to copy; it is not committed here. It is
looked up, in order, at `$DINGTALK_CALLBACK_CRYPTO`, then in the user cache
(`~/.cache/meetmock/DingTalk-Callback-Crypto/<commit>/`), else fetched once from the pinned
commit of open-dingtalk/DingTalk-Callback-Crypto; it must match the pinned SHA-256. Without
it (no copy and no network) these tests are skipped, saying so.
"""

import hashlib
import http.server
import importlib.util
import json
import os
import pathlib
import threading
import time
import urllib.parse
import urllib.request

import pytest
from alibabacloud_dingtalk.conference_1_0 import models as conf_models
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from alibabacloud_dingtalk.event_1_0 import models as event_models
from alibabacloud_dingtalk.event_1_0.client import Client as EventClient
from alibabacloud_tea_util import models as util_models

from test_dingtalk import ALICE, BOB, HOST, KEY, config, get_token, headers, invite

HELPER_COMMIT = "bd49e62ddd052d1d506674ac1e43edaecc915093"
HELPER_SHA256 = "e3e07746005b1166e6bb1f01cbdf2e38c03c51a18bab68e396212e4794dd6a97"
HELPER_URL = (
    "https://raw.githubusercontent.com/open-dingtalk/DingTalk-Callback-Crypto/"
    f"{HELPER_COMMIT}/DingCallbackCrypto3.py"
)
TOKEN = "mocktoken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
RT = util_models.RuntimeOptions()


def _helper_path():
    env = os.environ.get("DINGTALK_CALLBACK_CRYPTO")
    if env:
        return pathlib.Path(env)
    cache = pathlib.Path(os.environ.get("XDG_CACHE_HOME", pathlib.Path.home() / ".cache"))
    path = cache / "meetmock" / "DingTalk-Callback-Crypto" / HELPER_COMMIT / "DingCallbackCrypto3.py"
    if not path.exists():
        try:
            with urllib.request.urlopen(HELPER_URL, timeout=10) as r:
                data = r.read()
        except OSError as e:
            pytest.skip(f"DingCallbackCrypto3.py not available ({e}): set DINGTALK_CALLBACK_CRYPTO "
                        f"to a copy of it at commit {HELPER_COMMIT}")
        if hashlib.sha256(data).hexdigest() != HELPER_SHA256:
            pytest.fail("the fetched DingCallbackCrypto3.py does not match the pinned SHA-256")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def helper_class():
    path = _helper_path()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == HELPER_SHA256, f"{path} is not the pinned DingCallbackCrypto3.py"
    spec = importlib.util.spec_from_file_location("DingCallbackCrypto3", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DingCallbackCrypto3


class App:
    """An app's callback URL: the official helper behind http.server."""

    def __init__(self, helper_class, owner_key=KEY, fail=False):
        self.crypto = helper_class(TOKEN, AES_KEY, owner_key)
        self.events, self.errors = [], []
        self.fail = fail
        outer = self

        class Endpoint(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                try:
                    if outer.fail:
                        raise ValueError("this app is down")
                    plain = outer.crypto.getDecryptMsg(
                        q.get("msg_signature") or q.get("signature"),
                        q.get("timeStamp") or q.get("timestamp"),
                        q["nonce"],
                        body["encrypt"],
                    )
                    outer.events.append(json.loads(plain))
                    status, reply = 200, outer.crypto.getEncryptedMap("success")
                except Exception as e:  # the helper raises ValueError; an app answers 500
                    outer.errors.append(repr(e))
                    status, reply = 500, {"error": repr(e)}
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/dingtalk/callback"

    def wait(self, n, timeout=10):
        deadline = time.time() + timeout
        while len(self.events) < n and time.time() < deadline:
            time.sleep(0.02)
        assert len(self.events) >= n, (self.events, self.errors)
        return self.events

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def apps(helper_class):
    made = []

    def make(**kw):
        a = App(helper_class, **kw)
        made.append(a)
        return a

    yield make
    for a in made:
        a.close()


def deliveries(server, query, until, timeout=10):
    """`GET /__admin/events?{query}` once `until(events)` holds (the send is recorded just
    after the app answered)."""
    deadline = time.time() + timeout
    while True:
        listing = server.admin_ok("GET", f"/events?{query}")["events"]
        if until(listing) or time.time() > deadline:
            return listing
        time.sleep(0.02)


def subscribe(server, url, verify=True, **extra):
    body = {"vendor": "dingtalk", "tenant": KEY, "url": url, "token": TOKEN, "aes_key": AES_KEY,
            "verify": verify, **extra}
    return server.admin_ok("POST", "/subscriptions", body)


def story(server):
    """Create (Alice called) → invite Bob and a phone → the invitees answer on the clock (Bob
    declines) → kick Alice → close: every call through the official SDK."""
    server.admin_ok("POST", "/clock/freeze", {})
    client, token = ConferenceClient(config(server)), get_token(server).access_token
    req = conf_models.CreateVideoConferenceRequest(user_id=HOST, conf_title="事件 through the SDK",
                                                   invite_user_ids=[ALICE])
    conf_id = client.create_video_conference_with_options(
        req, headers(conf_models.CreateVideoConferenceHeaders, token), RT).body.conference_id
    assert invite(client, token, conf_id, union_id=HOST,
                  invitee_list=[conf_models.InviteUsersRequestInviteeList(union_id=BOB, nick="Bob")],
                  phone_invitee_list=[conf_models.InviteUsersRequestPhoneInviteeList(
                      phone_number="13800000000", nick="Phone Guest")]).body.success
    server.admin_ok("POST", "/clock/advance", {"seconds": 30})
    kick = conf_models.KickMembersRequest(user_list=[conf_models.KickMembersRequestUserList(union_id=ALICE)])
    client.kick_members_with_options(conf_id, kick, headers(conf_models.KickMembersHeaders, token), RT)
    client.close_video_conference_with_options(
        conf_id, conf_models.CloseVideoConferenceRequest(union_id=HOST),
        headers(conf_models.CloseVideoConferenceHeaders, token), RT)
    return conf_id


MEMBER, STATUS = "meeting_member_status_change_target_push", "meeting_status_change_target_push"


def test_the_helper_answers_check_url_and_decrypts_every_push_of_a_conference(fresh, apps):
    app = apps()
    sub = subscribe(fresh, app.url)
    assert sub["verification"]["state"] == "verified", sub
    assert app.events[0] == {"EventType": "check_url"}
    conf_id = story(fresh)
    events = app.wait(13)[1:]
    assert app.errors == []
    scenes = [(e["EventType"], e["changeScene"]) for e in events]
    assert scenes == [(STATUS, "conference_created")] + [(MEMBER, "user_invited")] * 4 \
        + [(MEMBER, "user_join")] * 3 + [(MEMBER, "user_kicked")] + [(MEMBER, "user_leave")] * 2 \
        + [(STATUS, "conference_closed")]
    seqs = [e["statusSeqNum"] for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert len({e["eventId"] for e in events}) == 12
    assert {e["CorpId"] for e in events} == {"dingmockcorp0001"}
    assert events[0]["openConfModel"]["conferenceId"] == conf_id
    assert events[0]["openConfModel"]["title"] == "事件 through the SDK"
    joined = {m["userNick"] for e in events[5:8] for m in e["openMemberModels"]}
    assert joined == {"主持人", "Alice", "Phone Guest"}
    kicked = events[8]["openMemberModels"][0]
    assert (kicked["userId"], kicked["attendStatus"]) == (ALICE, 5)
    # meetmock judged every reply of the helper (the encrypted "success") an acknowledgement.
    listing = deliveries(fresh, "vendor=dingtalk&status=delivered", lambda ds: len(ds) == 12)
    assert len(listing) == 12
    assert all(len(d["attempts"]) == 1 and d["attempts"][0]["ok"] for d in listing)


def test_a_helper_built_with_another_owner_key_refuses_every_push(fresh, apps):
    app = apps(owner_key="dingmockcorp0001")
    sub = subscribe(fresh, app.url)
    assert sub["verification"]["state"] == "failed"
    assert app.errors and "corpId 校验错误" in app.errors[0]
    # Built with the owner key the subscription names, it accepts them.
    good = apps(owner_key="dingmockcorp0001")
    sub = fresh.admin_ok("PUT", f"/subscriptions/{sub['id']}", {
        "url": good.url, "token": TOKEN, "aes_key": AES_KEY, "owner_key": "dingmockcorp0001"})
    assert sub["verification"]["state"] == "verified"


def test_pushes_that_fail_every_retry_are_listed_by_the_sdks_failed_result_query(fresh, apps):
    app = apps(fail=True)
    subscribe(fresh, app.url, verify=False)
    fresh.admin_ok("POST", "/clock/freeze", {})
    client, token = ConferenceClient(config(fresh)), get_token(fresh).access_token
    req = conf_models.CreateVideoConferenceRequest(user_id=HOST, conf_title="nobody listens",
                                                   invite_caller=False)
    conf_id = client.create_video_conference_with_options(
        req, headers(conf_models.CreateVideoConferenceHeaders, token), RT).body.conference_id
    for n, wait in ((1, 10), (2, 30)):  # the first push fails; retries after 10 s and 30 s
        listing = deliveries(fresh, "vendor=dingtalk", lambda ds: len(ds) == 1 and ds[0]["status"]
                             == "pending" and len(ds[0]["attempts"]) == n)
        assert listing[0]["next_retry_at_ms"] == listing[0]["attempts"][-1]["at_ms"] + wait * 1000
        fresh.admin_ok("POST", "/clock/advance", {"seconds": wait})
    failed = deliveries(fresh, "vendor=dingtalk&status=failed", lambda ds: len(ds) == 1)
    assert len(failed) == 1 and len(failed[0]["attempts"]) == 3
    assert len(app.errors) == 3
    events = EventClient(config(fresh))
    h = event_models.GetCallBackFaileResultHeaders()
    h.x_acs_dingtalk_access_token = token
    body = events.get_call_back_faile_result_with_options(
        event_models.GetCallBackFaileResultRequest(), h, RT).body
    assert body.has_more is False
    [item] = body.failed_list
    assert item.call_back_tag == STATUS
    assert item.corp_id == "dingmockcorp0001"
    data = json.loads(item.call_back_data)
    assert data["changeScene"] == "conference_created"
    assert data["openConfModel"]["conferenceId"] == conf_id
    assert item.event_time == data["EventTime"]
