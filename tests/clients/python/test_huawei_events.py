"""Huawei Cloud Meeting enterprise event push, received by an app written from Huawei's docs alone
(no SDK receives these events; notes: shared/vendors/huawei-events.md §2, §4), while the
configuration and the meetings are driven through the official SDK (huaweicloudsdkmeeting).

The receiver is an HTTPS endpoint (the configuration API takes https:// URLs only) with its own
test CA, which this file's meetmock trusts through `--events-ca`. For every request it takes the
raw text of `eventInfo` from the body, checks
`hex(HMAC-SHA256(subscriberKey, appID + timestamp + nonce + eventInfo)) == signature`, answers
`meeting.verify` with `{"event":"meeting.verify","nonce":<the request's>}` and every other event
with 200 and no body. Retries are moved by the server clock, never by sleeping.
"""

import datetime
import hashlib
import hmac
import http.server
import ipaddress
import json
import os
import re
import ssl
import subprocess
import tempfile
import threading
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from huaweicloudsdkcore.exceptions.exceptions import (
    ClientRequestException,
    ServerResponseException,
)
from huaweicloudsdkmeeting.v1 import (
    CancelMeetingRequest,
    CreateMeetingRequest,
    DeleteWebHookConfigRequest,
    HangUpRequest,
    RecordRequest,
    RestAttendeeDTO,
    RestBulkHangUpReqBody,
    RestScheduleConfDTO,
    RestSetRecordReqBody,
    SetWebHookConfigRequest,
    ShowWebHookConfigRequest,
    UpdateMeetingRequest,
    UpdateWebHookConfigStatusRequest,
    WebHookConfigRequest,
)

from conftest import Server, _binary
from test_huawei import account_client, invite, online, start_and_token

CORP = "hwcorp0001"
SUBSCRIBER = "1988692299"
KEY = "mockSubscriberKey123"


def _pem_pair():
    """A CA and a leaf for 127.0.0.1 signed by it: (ca_pem, cert_pem, key_pem)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "huawei events test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ca.public_bytes(pem), leaf.public_bytes(pem), key_pem


def raw_event_info(body):
    """The raw text of the top-level eventInfo object, as received (the notes' advice)."""
    start = body.index('"eventInfo":') + len('"eventInfo":')
    depth, in_str, esc = 0, False, False
    for i, ch in enumerate(body[start:]):
        if esc:
            esc = False
        elif ch == "\\" and in_str:
            esc = True
        elif ch == '"':
            in_str = not in_str
        elif not in_str and ch == "{":
            depth += 1
        elif not in_str and ch == "}":
            depth -= 1
            if depth == 0:
                return body[start : start + i + 1]
    raise ValueError("no eventInfo object")


class App:
    """The app's event endpoint (HTTPS), verifying every request."""

    def __init__(self, cert_pem, key_pem, workdir):
        self.received = []  # (raw body text, parsed) of every verified request
        self.refused = []
        self.fail_next = 0  # answer 500 to this many pushes
        self.echo_wrong_nonce = False
        outer = self

        class Endpoint(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                text = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
                status, answer = outer.handle(self.path, dict(self.headers.items()), text)
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        cert = os.path.join(workdir, "rx-cert.pem")
        key = os.path.join(workdir, "rx-key.pem")
        with open(cert, "wb") as f:
            f.write(cert_pem)
        with open(key, "wb") as f:
            f.write(key_pem)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.httpd.server_address[1]}/openapi/meetingevent"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def handle(self, path, headers, text):
        j = json.loads(text)
        msg = j["appID"] + str(j["timestamp"]) + j["nonce"] + raw_event_info(text)
        want = hmac.new(KEY.encode(), msg.encode(), hashlib.sha256).hexdigest()
        if path != "/openapi/meetingevent" or j["signature"] != want or j["appID"] != SUBSCRIBER:
            self.refused.append(text)
            return 401, b'{"error":"signature"}'
        assert headers["Content-Type"] == "application/json;charset=UTF-8"
        assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-Id"])
        self.received.append((text, j))
        if j["eventInfo"]["event"] == "meeting.verify":
            nonce = "bad-nonce" if self.echo_wrong_nonce else j["nonce"]
            return 200, json.dumps({"event": "meeting.verify", "nonce": nonce}).encode()
        if self.fail_next > 0:
            self.fail_next -= 1
            return 500, b""
        return 200, b""

    def events(self):
        return [j for _, j in self.received if j["eventInfo"]["event"] != "meeting.verify"]

    def wait_for(self, n, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.events()
            if len(got) >= n:
                return got
            time.sleep(0.02)
        raise AssertionError(f"expected {n} pushes, got {[e['eventInfo']['event'] for e in self.events()]}")


@pytest.fixture(scope="module")
def setup():
    """This file's own meetmock (trusting the app's CA) and the app."""
    workdir = tempfile.mkdtemp(prefix="meetmock-hw-events-")
    ca_pem, cert_pem, key_pem = _pem_pair()
    ca_path = os.path.join(workdir, "ca.pem")
    with open(ca_path, "wb") as f:
        f.write(ca_pem)
    server_cert = os.path.join(workdir, "meetmock.pem")
    proc = subprocess.Popen(
        [str(_binary()), "serve", "--listen", "127.0.0.1:0", "--write-cert", server_cert,
         "--events-ca", ca_path],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    port = None
    for _ in range(200):
        line = proc.stdout.readline()
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line or "")
        if m:
            port = int(m.group(1))
            break
        if not line:
            break
    if port is None:
        proc.kill()
        pytest.fail("meetmock did not start")
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    server = Server(proc, port, server_cert)
    yield server, App(cert_pem, key_pem, workdir)
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def env(setup):
    server, app = setup
    server.reset()
    server.admin_ok("POST", "/clock/freeze", {})
    app.received.clear()
    app.refused.clear()
    app.fail_next = 0
    app.echo_wrong_nonce = False
    return server, app, account_client(server)


def configure(c, url):
    c.set_web_hook_config(
        SetWebHookConfigRequest(
            body=WebHookConfigRequest(
                corp_id=CORP, subscriber_id=SUBSCRIBER, subscriber_key=KEY, url=url
            )
        )
    )
    return c.show_web_hook_config(ShowWebHookConfigRequest(corp_id=CORP))


def test_the_configuration_is_set_shown_enabled_through_the_verify_echo_and_deleted(env):
    server, app, c = env
    shown = configure(c, app.url)
    assert re.fullmatch(r"[0-9a-f]{32}", shown.id)
    assert (shown.subscriber_id, shown.url, shown.status) == (SUBSCRIBER, app.url, 1)
    assert app.received == []
    c.update_web_hook_config_status(UpdateWebHookConfigStatusRequest(id=shown.id, status=0))
    (text, verify), = app.received
    assert verify["eventInfo"] == {"event": "meeting.verify", "timestamp": verify["timestamp"]}
    assert raw_event_info(text) == '{"event":"meeting.verify","timestamp":%d}' % verify["timestamp"]
    assert re.fullmatch(r"\d{8}", verify["nonce"])
    assert c.show_web_hook_config(ShowWebHookConfigRequest(corp_id=CORP)).status == 0
    c.delete_web_hook_config(DeleteWebHookConfigRequest(id=shown.id))
    assert c.show_web_hook_config(ShowWebHookConfigRequest(corp_id=CORP)).id is None


def test_a_plain_http_callback_is_refused_by_the_configuration_api(env):
    server, app, c = env
    with pytest.raises(ClientRequestException) as e:
        configure(c, app.url.replace("https://", "http://"))
    assert (e.value.status_code, e.value.error_code) == (400, "MMC.111070001")
    assert c.show_web_hook_config(ShowWebHookConfigRequest(corp_id=CORP)).id is None


def test_enabling_fails_when_the_app_echoes_the_wrong_nonce(env):
    server, app, c = env
    app.echo_wrong_nonce = True
    shown = configure(c, app.url)
    with pytest.raises(ServerResponseException) as e:
        c.update_web_hook_config_status(UpdateWebHookConfigStatusRequest(id=shown.id, status=0))
    assert (e.value.status_code, e.value.error_code) == (500, "MMC.100000501")
    assert c.show_web_hook_config(ShowWebHookConfigRequest(corp_id=CORP)).status == 1


def test_an_sdk_driven_meeting_pushes_every_event_verified_in_order(env):
    server, app, c = env
    shown = configure(c, app.url)
    c.update_web_hook_config_status(UpdateWebHookConfigStatusRequest(id=shown.id, status=0))
    body = RestScheduleConfDTO(length=60, subject="pushed", media_types="Voice")
    conf = c.create_meeting(CreateMeetingRequest(body=body)).body[0]
    conf_id = conf.conference_id
    chair = next(p.password for p in conf.password_entry if p.conference_role == "chair")
    c.update_meeting(
        UpdateMeetingRequest(
            conference_id=conf_id,
            body=RestScheduleConfDTO(subject="pushed (edited)", media_types="Voice"),
        )
    )
    token = start_and_token(c, conf_id, chair)
    invite(c, conf_id, token, RestAttendeeDTO(name="Alice", phone="+8613800000001"))
    server.admin_ok("POST", "/clock/advance", {"seconds": 30})
    c.record(
        RecordRequest(
            conference_id=conf_id,
            x_conference_authorization=token,
            body=RestSetRecordReqBody(is_record=1),
        )
    )
    server.admin_ok("POST", "/clock/advance", {"seconds": 60})
    pid = online(c, conf_id).data[0].participant_id
    c.hang_up(
        HangUpRequest(
            conference_id=conf_id,
            x_conference_authorization=token,
            body=RestBulkHangUpReqBody(bulk_hang_up_participants=[pid]),
        )
    )
    c.cancel_meeting(CancelMeetingRequest(conference_id=conf_id, type=1))
    got = app.wait_for(9)
    assert [e["eventInfo"]["event"] for e in got] == [
        "meeting.create",
        "meeting.modify",
        "meeting.started",
        "meeting.join",
        "meeting.left",
        "meeting.end",
        "meeting.conclude",
        "record.finish",
        "meeting.cancel",
    ]
    assert app.refused == []
    assert len({e["nonce"] for e in got}) == len(got), "a nonce per event"
    for e in got:
        assert set(e) == {"appID", "timestamp", "nonce", "signature", "eventInfo"}
        assert e["timestamp"] == e["eventInfo"]["timestamp"] and e["timestamp"] > 10**12
        assert e["eventInfo"]["payload"]["meetingInfo"]["meetingID"] == conf_id
    joined, left = got[3]["eventInfo"]["payload"]["attendeeInfo"], got[4]["eventInfo"]["payload"]["attendeeInfo"]
    assert joined["participantID"] == left["participantID"] == pid
    assert joined["callNumber"] == "+8613800000001" and joined["leftTime"] == 0
    assert left["leftTime"] - joined["joinTime"] >= 60_000


def wait_attempts(server, n, timeout=10):
    """Waits until the one Huawei delivery has `n` recorded attempts."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        events = server.admin_ok("GET", "/events?vendor=huawei")["events"]
        if events and len(events[0]["attempts"]) >= n:
            return events[0]
        time.sleep(0.02)
    raise AssertionError(f"no {n} attempts")


def test_a_failed_push_is_retried_30_s_later_with_the_same_bytes(env):
    server, app, c = env
    shown = configure(c, app.url)
    c.update_web_hook_config_status(UpdateWebHookConfigStatusRequest(id=shown.id, status=0))
    app.fail_next = 2
    server.admin_ok("POST", "/meetings/914673889/join", {"vendor": "huawei", "user": "alice@hwcorp"})
    for n in (1, 2):
        wait_attempts(server, n)
        server.admin_ok("POST", "/clock/advance", {"seconds": 30})
    got = app.wait_for(3)
    wait_attempts(server, 3)
    assert [e["nonce"] for e in got] == [got[0]["nonce"]] * 3, "the same push three times"
    texts = [t for t, j in app.received if j["eventInfo"]["event"] != "meeting.verify"]
    assert texts[0] == texts[1] == texts[2]
    status, events = server.admin("GET", "/events?vendor=huawei")
    (d,) = events["events"]
    assert d["status"] == "delivered" and d["event_id"] == got[0]["nonce"]
    assert [a["status"] for a in d["attempts"]] == [500, 500, 200]
    at = [a["at_ms"] for a in d["attempts"]]
    assert at[1] - at[0] == at[2] - at[1] == 30_000
