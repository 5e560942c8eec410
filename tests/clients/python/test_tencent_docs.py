"""Tencent Meeting through a client written from Tencent's public docs alone (no SDK, no
meetmock code): the signing page (/1095/42413: `X-TC-Signature = Base64(HexLower(HMAC-SHA256(
SecretKey, METHOD\\nX-TC-Key=..&X-TC-Nonce=..&X-TC-Timestamp=..\\nURI\\nBody)))`, public headers
`AppId`, `SdkId`, `X-TC-Registered: 1`, `Content-Type: application/json`) and the REST pages of
the endpoints used. Plain `requests`.
"""

import base64
import hashlib
import hmac
import itertools
import json

import pytest
import requests

APP_ID = "211000001"
SDK_ID = "28370000001"
SECRET_ID = "AKIDmeetmockDemoSecretId0001"
SECRET_KEY = "meetmockDemoSecretKey0001"
SCHEDULED = "5417310002754750436"
RUNNING = "5417310002754750437"
_nonces = itertools.count(31_000_000_000)


def server_now(server):
    return server.admin_ok("GET", "/clock")["now_ms"] // 1000


def signature(method, uri, body, nonce, ts, key=SECRET_KEY):
    head = f"X-TC-Key={SECRET_ID}&X-TC-Nonce={nonce}&X-TC-Timestamp={ts}"
    text = f"{method}\n{head}\n{uri}\n{body}"
    hexed = hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()
    return base64.b64encode(hexed.encode()).decode()


def call(server, method, uri, payload=None, *, nonce=None, ts=None, key=SECRET_KEY,
         sdk_id=SDK_ID, signed_uri=None, signed_body=None, extra=None):
    body = "" if payload is None else json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    nonce = str(next(_nonces)) if nonce is None else nonce
    ts = str(server_now(server)) if ts is None else str(ts)
    sig = signature(method, signed_uri or uri, body if signed_body is None else signed_body, nonce, ts, key)
    headers = {"Content-Type": "application/json", "X-TC-Key": SECRET_ID, "X-TC-Timestamp": ts,
               "X-TC-Nonce": nonce, "X-TC-Signature": sig, "AppId": APP_ID, "SdkId": sdk_id,
               "X-TC-Registered": "1"}
    headers.update(extra or {})
    r = requests.request(method, server.base + uri, data=body.encode(), headers=headers, timeout=10)
    return r.status_code, (r.json() if r.content else None)


def err(resp):
    status, body = resp
    assert list(body) == ["error_info"], body
    return status, body["error_info"]["error_code"], body["error_info"]["message"]


def put_invitees(server, meeting, who, ids):
    return call(server, "PUT", f"/v1/meetings/{meeting}/invitees",
                {"userid": who, "instanceid": 1, "invitees": [{"userid": u} for u in ids]})


def listed(server, meeting, who="userA"):
    out, pos = [], 0
    while True:
        status, page = call(server, "GET", f"/v1/meetings/{meeting}/invitees?userid={who}&instanceid=1&pos={pos}")
        assert status == 200, page
        out += [i["userid"] for i in page["invitees"]]
        if not page["has_remaining"]:
            return out
        pos = page["next_pos"]


# ---------- signing ----------

def test_a_query_is_signed_as_sent_and_reordering_it_is_still_a_valid_request(fresh):
    a = call(fresh, "GET", f"/v1/meetings/{SCHEDULED}/invitees?userid=userA&instanceid=1&pos=0")
    b = call(fresh, "GET", f"/v1/meetings/{SCHEDULED}/invitees?pos=0&instanceid=1&userid=userA")
    assert a[0] == b[0] == 200


def test_signing_another_query_order_than_the_one_sent_fails(fresh):
    uri = f"/v1/meetings/{SCHEDULED}/invitees?userid=userA&instanceid=1"
    r = call(fresh, "GET", uri, signed_uri=f"/v1/meetings/{SCHEDULED}/invitees?instanceid=1&userid=userA")
    assert err(r) == (500, 200003, "Signature failed!")


def test_a_tampered_body_fails_and_changes_nothing(fresh):
    payload = {"userid": "userA", "instanceid": 1, "invitees": [{"userid": "userB"}]}
    r = call(fresh, "PUT", f"/v1/meetings/{SCHEDULED}/invitees", payload,
             signed_body='{"userid":"userA","instanceid":1}')
    assert err(r)[:2] == (500, 200003)
    assert listed(fresh, SCHEDULED) == []


@pytest.mark.parametrize("skew,ok", [(-299, True), (299, True), (-301, False), (301, False)])
def test_the_timestamp_window_is_five_minutes(fresh, skew, ok):
    r = call(fresh, "GET", f"/v1/meetings/{SCHEDULED}/invitees?userid=userA&instanceid=1",
             ts=server_now(fresh) + skew)
    if ok:
        assert r[0] == 200, r
    else:
        assert err(r) == (400, 190300, "API 请求头里的时间戳参数 X-TC-Timestamp 取值与服务器当前时间差距超过5分钟，视为非法请求。")


def test_a_replayed_nonce_is_190301(fresh):
    ts = server_now(fresh)
    uri = f"/v1/meetings/{SCHEDULED}/invitees?userid=userA&instanceid=1"
    assert call(fresh, "GET", uri, nonce="77", ts=ts)[0] == 200
    status, code, message = err(call(fresh, "GET", uri, nonce="77", ts=ts))
    assert (status, code) == (400, 190301)
    assert message.startswith("请求重放错误，请求头里的 X-TC-Timestamp 和 X-TC-Nonce 每次请求时需重新生成")


def test_a_wrong_key_or_sdk_id_is_refused(fresh):
    uri = f"/v1/meetings/{SCHEDULED}/invitees?userid=userA&instanceid=1"
    assert err(call(fresh, "GET", uri, key="wrong"))[:2] == (500, 200003)
    assert err(call(fresh, "GET", uri, sdk_id="1")) == (
        400, 190303, "未认证的 secret 信息，请检查请求头公共参数里字段 AppId 和 X-TC-Key 内容是否正确。字段 SdkId 如未分配不要携带。")


def test_x_tc_registered_must_be_1(fresh):
    r = call(fresh, "GET", f"/v1/meetings/{SCHEDULED}?operator_id=userA&operator_id_type=1&instanceid=1",
             extra={"X-TC-Registered": "0"})
    assert err(r)[:2] == (400, 190004)


# ---------- set / list invitees ----------

def _users(server, n):
    ids = [f"doc{i:05d}" for i in range(n)]
    server.admin_ok("POST", f"/tenants/tencent/{APP_ID}/users", {"users": [{"id": u} for u in ids]})
    return ids


def test_set_five_then_two_then_clear(fresh):
    assert put_invitees(fresh, SCHEDULED, "userA", ["userB", "userC", "userD", "userE", "ghost_u"]) == \
        (200, {"user_non_registered": ["ghost_u"]})
    assert put_invitees(fresh, SCHEDULED, "userA", ["userC", "userB"]) == (200, {})
    assert listed(fresh, SCHEDULED) == ["userC", "userB"]
    assert call(fresh, "PUT", f"/v1/meetings/{SCHEDULED}/invitees", {"userid": "userA", "instanceid": 1}) == (200, {})
    assert listed(fresh, SCHEDULED) == []


def test_two_thousand_are_paged_by_200_and_2001_are_refused(fresh):
    ids = _users(fresh, 2001)
    assert put_invitees(fresh, SCHEDULED, "userA", ids[:2000])[0] == 200
    status, page = call(fresh, "GET", f"/v1/meetings/{SCHEDULED}/invitees?userid=userA&instanceid=1&pos=0")
    assert (len(page["invitees"]), page["has_remaining"], page["next_pos"]) == (200, True, 200)
    assert listed(fresh, SCHEDULED) == ids[:2000]
    assert err(put_invitees(fresh, SCHEDULED, "userA", ids))[:2] == (400, 190004)
    assert len(listed(fresh, SCHEDULED)) == 2000


def test_permissions_and_unknown_cancelled_meetings(fresh):
    status, code, message = err(put_invitees(fresh, SCHEDULED, "userB", ["userC"]))
    assert (status, code) == (403, 9042)
    assert message == "无权限进行该操作，建议检查操作者身份或资源归属。"
    assert err(put_invitees(fresh, "1234567890123456789", "userA", ["userB"]))[:2] == (400, 190457)
    cancel = {"userid": "userA", "instanceid": 1, "reason_code": 1}
    assert call(fresh, "POST", f"/v1/meetings/{SCHEDULED}/cancel", cancel) == (200, {})
    assert err(call(fresh, "POST", f"/v1/meetings/{SCHEDULED}/cancel", cancel)) == (500, 9007, "MEETING CANCLED")
    assert err(put_invitees(fresh, SCHEDULED, "userA", ["userB"]))[:2] == (500, 9007)


def test_a_created_meeting_can_be_started_dismissed_and_then_refuses_invitees(fresh):
    now = server_now(fresh)
    status, created = call(fresh, "POST", "/v1/meetings", {
        "userid": "userA", "instanceid": 1, "subject": "文档客户端", "type": 0,
        "start_time": str(now + 600), "end_time": str(now + 4200)})
    assert status == 200, created
    mid = created["meeting_info_list"][0]["meeting_id"]
    fresh.admin_ok("POST", f"/meetings/{mid}/join", {"vendor": "tencent", "user": "userB"})
    status, got = call(fresh, "GET", f"/v1/meetings/{mid}?operator_id=userA&operator_id_type=1&instanceid=1")
    assert got["meeting_info_list"][0]["status"] == "MEETING_STATE_STARTED"
    dismiss = {"operator_id": "userA", "operator_id_type": 1, "instanceid": 1, "reason_code": 1}
    assert call(fresh, "POST", f"/v1/meetings/{mid}/dismiss", dismiss) == (200, {})
    assert err(put_invitees(fresh, mid, "userA", ["userC"]))[:2] == (500, 13603)


def test_an_unstarted_meeting_leaves_init_at_its_scheduled_end(fresh):
    now = server_now(fresh)
    _, created = call(fresh, "POST", "/v1/meetings", {
        "userid": "userA", "instanceid": 1, "subject": "expiring", "type": 0,
        "start_time": str(now + 60), "end_time": str(now + 3600)})
    mid = created["meeting_info_list"][0]["meeting_id"]
    fresh.admin_ok("POST", "/clock/advance", {"seconds": 3 * 3600})
    _, got = call(fresh, "GET", f"/v1/meetings/{mid}?operator_id=userA&operator_id_type=1&instanceid=1")
    assert got["meeting_info_list"][0]["status"] == "MEETING_STATE_NULL"


# ---------- user directory ----------

def test_creating_a_user_turns_a_non_registered_invitee_into_a_stored_one(fresh):
    assert put_invitees(fresh, SCHEDULED, "userA", ["docuser"])[1] == {"user_non_registered": ["docuser"]}
    status, body = call(fresh, "POST", "/v1/users", {
        "operator_id": "userA", "operator_id_type": 1, "userid": "docuser", "username": "Doc User",
        "phone": "13900000001"})
    assert status == 200, body
    assert put_invitees(fresh, SCHEDULED, "userA", ["docuser"]) == (200, {})
    status, user = call(fresh, "GET", "/v1/users/docuser?operator_id=userA&operator_id_type=1")
    assert (user["username"], user["status"]) == ("Doc User", "1")
    status, code, message = err(call(fresh, "POST", "/v1/users", {
        "operator_id": "userA", "operator_id_type": 1, "userid": "docuser", "username": "Again",
        "phone": "13900000002"}))
    assert (status, code, message) == (400, 20002, "用户已存在。")


# ---------- around the invite flow: guests, waiting room, mutes, names, uuid ----------
# Pages: /1095/93438 and /1095/54308 (guests), /1095/58522, /1095/80579 and /1095/57954
# (waiting room), /1095/57948 (mute), /1095/67794 (names), the user pages' uuid forms.

def test_guests_overwrite_and_an_empty_list_clears(fresh):
    uri = f"/v1/guests/{SCHEDULED}"
    guests = [{"area": "86", "phone_number": "13800000001", "guest_name": "xxxx"}]
    assert call(fresh, "PUT", uri, {"userid": "userA", "instanceid": 1, "guests": guests}) == (200, {})
    status, got = call(fresh, "GET", f"{uri}?userid=userA&instanceid=1")
    assert (status, got["meeting_id"], got["guests"]) == (200, SCHEDULED, guests)
    assert call(fresh, "PUT", uri, {"userid": "userA", "instanceid": 1, "guests": []}) == (200, {})
    assert call(fresh, "GET", f"{uri}?userid=userA&instanceid=1")[1]["guests"] == []
    status, code, message = err(call(fresh, "PUT", uri, {"userid": "userB", "instanceid": 1, "guests": guests}))
    assert (status, code, message) == (500, 9042, "权限受限或鉴权失败。")
    assert err(call(fresh, "GET", "/v1/guests/1?userid=userA&instanceid=1")) == (500, 9003, "会议信息不存在。")


def _waiting(server, meeting=RUNNING):
    status, body = call(server, "GET", f"/v1/meetings/{meeting}/waiting-room-participants?userid=userA&page=1&page_size=10")
    assert status == 200, body
    return body


def _room(server, kind, ms_open_id, **extra):
    body = {"operator_id": "userA", "operator_id_type": 1, "instanceid": 1, "operate_type": kind,
            "users": [{"to_operator_id": ms_open_id, "to_operator_id_type": 4, "instanceid": 1}], **extra}
    return call(server, "PUT", f"/v1/real-control/meetings/{RUNNING}/waiting-room", body)


def _live(server):
    uri = f"/v1/meetings/{RUNNING}/real-time-participants?operator_id=userA&operator_id_type=1&page=1&page_size=20"
    status, body = call(server, "GET", uri)
    assert status == 200, body
    return {p["userid"]: p for p in body["participants"]}


def test_the_waiting_room_holds_admits_sends_back_and_removes(fresh):
    on = {"instanceid": 1, "operator_id": "userA", "operator_id_type": 1, "auto_waiting_room": True}
    assert call(fresh, "PUT", f"/v1/real-control/meetings/{RUNNING}/status", on) == (200, {})
    fresh.admin_ok("POST", f"/meetings/{RUNNING}/join", {"vendor": "tencent", "user": "userE"})
    w = _waiting(fresh)
    assert w["total_count"] == 1 and w["participants"][0]["userid"] == "userE"
    assert base64.b64decode(w["participants"][0]["user_name"]).decode() == "Erin"
    ms = w["participants"][0]["ms_open_id"]
    assert "userE" not in _live(fresh)
    assert _room(fresh, 1, ms) == (200, {})
    assert _live(fresh)["userE"]["ms_open_id"] == ms
    assert _room(fresh, 2, ms) == (200, {})
    assert "userE" not in _live(fresh) and _waiting(fresh)["total_count"] == 1
    assert err(_room(fresh, 1, ms, allow_rejoin=True))[:2] == (400, 190004)
    assert _room(fresh, 3, ms, allow_rejoin=False) == (200, {})
    assert _waiting(fresh)["total_count"] == 0
    status, rec = call(fresh, "GET", f"/v1/meeting/{RUNNING}/waiting-room?operator_id=userA&operator_id_type=1&page=1&page_size=20")
    assert status == 200 and len(rec["participants"]) == 2
    assert all(p["join_time"] % 1000 == 0 and p["left_time"] >= p["join_time"] for p in rec["participants"])


def test_mute_and_rename_change_the_live_participant(fresh):
    mute = {"instanceid": 1, "mute": True, "operator_id": "userA", "operator_id_type": 1,
            "user": {"to_operator_id": "userB", "to_operator_id_type": 4, "instanceid": 1}}
    assert call(fresh, "PUT", f"/v1/real-control/meetings/{RUNNING}/mutes", mute) == (200, {})
    names = {"instanceid": 1, "operator_id": "userA", "operator_id_type": 1,
             "users": [{"ms_open_id": "userB", "instanceid": 1, "nick_name": "新昵称"}]}
    assert call(fresh, "PUT", f"/v1/real-control/meetings/{RUNNING}/names", names) == (200, {})
    bob = _live(fresh)["userB"]
    assert (bob["audio_state"], base64.b64decode(bob["user_name"]).decode()) == (False, "新昵称")
    mute["user"]["to_operator_id"] = "userE"
    assert err(call(fresh, "PUT", f"/v1/real-control/meetings/{RUNNING}/mutes", mute)) == (500, 202007, "成员不在会中。")


def test_a_user_by_uuid_reads_changes_and_deletes(fresh):
    status, user = call(fresh, "GET", "/v1/users/userD?operator_id=userA&operator_id_type=1")
    uuid = user["uuid"]
    q = f"uuid={uuid}&operator_id=userA&operator_id_type=1"
    assert call(fresh, "GET", f"/v1/users?{q}")[1]["userid"] == "userD"
    body = {"operator_id": "userA", "operator_id_type": 1, "username": "Dave Two"}
    assert call(fresh, "PUT", f"/v1/users?uuid={uuid}", body) == (200, {})
    assert call(fresh, "GET", f"/v1/users?{q}")[1]["username"] == "Dave Two"
    assert call(fresh, "DELETE", f"/v1/users?{q}") == (200, {})
    assert err(call(fresh, "GET", f"/v1/users?{q}")) == (400, 20001, "用户不存在。")
