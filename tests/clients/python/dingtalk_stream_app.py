"""An app built on the official `dingtalk-stream` SDK, run by test_dingtalk_stream.py in its own
process exactly as a user runs one: `DINGTALK_OPENAPI_ENDPOINT` points the SDK at meetmock
(read when the SDK is imported), `DingTalkStreamClient` + an `EventHandler` for every event.

Each event the handler receives is printed as one JSON line. `argv[3] == "fail-first"` makes
the handler answer the first delivery of each eventId with code 500 (the SDK then ACKs with
that code) and later ones with 200, so meetmock's redelivery shows.

Usage: dingtalk_stream_app.py CLIENT_ID CLIENT_SECRET [fail-first]
"""

import asyncio
import json
import logging
import sys

import dingtalk_stream

client_id, client_secret = sys.argv[1], sys.argv[2]
fail_first = len(sys.argv) > 3 and sys.argv[3] == "fail-first"
seen_ids = set()


class Handler(dingtalk_stream.EventHandler):
    async def process(self, event: dingtalk_stream.EventMessage):
        h = event.headers
        first = h.event_id not in seen_ids
        seen_ids.add(h.event_id)
        code = 500 if (fail_first and first) else dingtalk_stream.AckMessage.STATUS_OK
        print(json.dumps({
            "event_type": h.event_type, "event_id": h.event_id, "event_born_time": h.event_born_time,
            "event_corp_id": h.event_corp_id, "event_unified_app_id": h.event_unified_app_id,
            "message_id": h.message_id, "time": h.time, "data": event.data, "acked": code,
        }, ensure_ascii=False), flush=True)
        return code, "OK"


logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
client = dingtalk_stream.DingTalkStreamClient(dingtalk_stream.Credential(client_id, client_secret))
client.register_all_event_handler(Handler())
print(json.dumps({"started": True}), flush=True)
asyncio.run(client.start())
