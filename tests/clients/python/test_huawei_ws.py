"""Huawei's meeting-control WebSocket, used by a client written from the docs alone (pages
meeting_21_1508 flow and sample code, 1510 connect, 1511 Subscribe, 1514 ParticipantsNotify, 1518
InviteResultNotify, 1520 HeartBeat; notes: shared/vendors/huawei-events.md §3) with the `websockets`
library, while the meeting is driven through the official SDK (huaweicloudsdkmeeting): control
token, CreateWebSocketToken, InviteParticipant, HangUp. No SDK consumes this channel.

It is the only place Huawei reports what became of an invite: each called number's
ParticipantsNotify (STATE "1" calling, then "0" in the meeting, or removed) and its
InviteResultNotify ("0" answered, else a failure or leave reason). The frames must agree with
ShowRealTimeInfoOfMeeting. The living invite runs on the server clock, moved by the admin API.
"""

import asyncio
import json
import time

import websockets
from huaweicloudsdkmeeting.v1 import (
    Attendee,
    CreateConfTokenRequest,
    CreateWebSocketTokenRequest,
    HangUpRequest,
    RestBulkHangUpReqBody,
    ShowRealTimeInfoOfMeetingRequest,
)

from test_huawei import account_client, invite

CONF, CHAIR = "914673889", "246810"
ALICE, NOBODY, DECLINER = "+8613800000001", "+8613800000008", "+8613800000009"


def tokens(c):
    """The control token, the wsURL (host:port) and a one-minute WebSocket token."""
    r = c.create_conf_token(
        CreateConfTokenRequest(conference_id=CONF, x_password=CHAIR, x_login_type=1)
    )
    ws = c.create_web_socket_token(
        CreateWebSocketTokenRequest(conference_id=CONF, x_conference_authorization=r.data.token)
    )
    return r.data.token, r.data.ws_url, ws.web_socket_token


def url(ws_url, tmp_token, conf=CONF):
    return f"ws://{ws_url}/cms/open/websocket/confctl/increment/conn?confID={conf}&tmpToken={tmp_token}"


def subscribe_frame(conf_token, types):
    # The docs' sample code double-encodes `data` and sends the token as Basic base64.
    import base64

    basic = "Basic " + base64.b64encode(conf_token.encode()).decode()
    return json.dumps(
        {
            "sequence": "000000000000000002611382271289",
            "action": "Subscribe",
            "data": json.dumps({"subscribeType": types, "confToken": basic}),
        }
    )


class Frames:
    """Everything the server pushed, in order."""

    def __init__(self, ws):
        self.ws = ws
        self.got = []

    async def until(self, pred, timeout=10):
        deadline = time.time() + timeout
        while True:
            for f in self.got:
                if pred(f):
                    return f
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError(f"no such frame in {self.got}")
            self.got.append(json.loads(await asyncio.wait_for(self.ws.recv(), left)))


def participants_view(frames):
    """Who the ParticipantsNotify frames say is calling ("1") or in the meeting ("0")."""
    view = {}
    for f in frames:
        if f["action"] != "ParticipantsNotify":
            continue
        for p in f["data"]:
            if p["mode"] == 1:
                view.pop(p["pid"], None)
            else:
                view[p["pid"]] = (p["pinfoMap"]["TEL"], int(p["pinfoMap"]["STATE"]))
    return sorted(view.values())


def test_invite_outcomes_arrive_on_the_meeting_websocket_and_agree_with_real_time_info(fresh):
    fresh.admin_ok("POST", "/clock/freeze", {})
    c = account_client(fresh)
    conf_token, ws_url, tmp = tokens(c)
    assert ws_url == fresh.host

    def real_time():
        info = c.show_real_time_info_of_meeting(
            ShowRealTimeInfoOfMeetingRequest(conference_id=CONF, x_conference_authorization=conf_token)
        )
        return sorted((p.phone, p.state) for p in info.participants)

    async def run():
        async with websockets.connect(url(ws_url, tmp)) as ws:
            f = Frames(ws)
            await ws.send(subscribe_frame(conf_token, ["ParticipantsNotify", "InviteResultNotify"]))
            ack = await f.until(lambda x: x.get("action") == "Subscribe")
            assert ack["data"]["returnCode"] == 0
            full = await f.until(lambda x: x["action"] == "ParticipantsNotify")
            assert full["msgMode"] == 0 and full["confID"] == CONF
            invite(c, CONF, conf_token, *[Attendee(name=n, phone=n) for n in (ALICE, NOBODY, DECLINER)])
            await f.until(lambda x: x["action"] == "ParticipantsNotify" and len(participants_view(f.got)) == 4)
            assert participants_view(f.got) == real_time()
            fresh.admin_ok("POST", "/clock/advance", {"seconds": 30})
            results = lambda: {
                d["callNumber"]: d["errorCode"]
                for x in f.got
                if x["action"] == "InviteResultNotify"
                for d in x["data"]
            }
            await f.until(lambda x: results().keys() >= {ALICE, DECLINER})
            assert results() == {ALICE: "0", DECLINER: "603"}
            assert participants_view(f.got) == real_time() == sorted(
                [(ALICE, 0), (NOBODY, 1), ("demo@hwcorp", 0)]
            )
            fresh.admin_ok("POST", "/clock/advance", {"seconds": 30})
            await f.until(lambda x: NOBODY in results())
            assert results()[NOBODY] == "408", "rang out"
            assert participants_view(f.got) == real_time()
            # The host hangs Alice up: a leave reason on the same channel.
            pid = next(
                p["pid"]
                for x in f.got
                if x["action"] == "ParticipantsNotify"
                for p in x["data"]
                if p["pinfoMap"].get("TEL") == ALICE
            )
            c.hang_up(
                HangUpRequest(
                    conference_id=CONF,
                    x_conference_authorization=conf_token,
                    body=RestBulkHangUpReqBody(bulk_hang_up_participants=[pid]),
                )
            )
            await f.until(lambda x: x["action"] == "InviteResultNotify" and x["data"][0]["errorCode"] == "11076002")
            assert participants_view(f.got) == real_time() == [("demo@hwcorp", 0)]
            incremental = [x["version"] for x in f.got if x.get("msgMode") == 1]
            assert incremental == sorted(incremental) and len(set(incremental)) == len(incremental)

    asyncio.run(run())


def test_heartbeats_are_echoed_and_silence_on_the_server_clock_closes_the_channel(fresh):
    fresh.admin_ok("POST", "/clock/freeze", {})
    c = account_client(fresh)
    conf_token, ws_url, tmp = tokens(c)

    async def run():
        async with websockets.connect(url(ws_url, tmp)) as ws:
            hb = {"sequence": "000000000000000001611993655770", "action": "HeartBeat"}
            await ws.send(json.dumps(hb))
            assert json.loads(await ws.recv()) == hb
            await ws.send("not json")
            bad = json.loads(await ws.recv())
            assert bad["data"]["returnCode"] != 0
            fresh.admin_ok("POST", "/clock/advance", {"seconds": 179})
            await ws.send(json.dumps(hb))
            assert json.loads(await ws.recv()) == hb
            fresh.admin_ok("POST", "/clock/advance", {"seconds": 181})
            try:
                await asyncio.wait_for(ws.recv(), 10)
                raise AssertionError("expected the server to close")
            except websockets.ConnectionClosed as e:
                assert e.rcvd is not None and e.rcvd.code == 1001

    asyncio.run(run())


def test_a_used_or_expired_token_gets_the_channel_closed(fresh):
    fresh.admin_ok("POST", "/clock/freeze", {})
    c = account_client(fresh)
    _, ws_url, tmp = tokens(c)

    async def closed_at_once(u):
        async with websockets.connect(u) as ws:
            try:
                await asyncio.wait_for(ws.recv(), 10)
                raise AssertionError("expected a close")
            except websockets.ConnectionClosed as e:
                assert e.rcvd.code == 1008
                return json.loads(e.rcvd.reason)

    async def run():
        async with websockets.connect(url(ws_url, tmp)):
            pass
        reason = await closed_at_once(url(ws_url, tmp))
        assert reason["error_code"] == "MMC.111072065", "single use"
        _, _, fresh_tmp = tokens(c)
        fresh.admin_ok("POST", "/clock/advance", {"seconds": 61})
        reason = await closed_at_once(url(ws_url, fresh_tmp))
        assert reason["error_code"] == "MMC.111072065", "one minute"

    asyncio.run(run())
