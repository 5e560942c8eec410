"""An app on lark-oapi's long connection, run as a child process by test_feishu_longconn.py.

`lark.ws.Client` with an `EventDispatcherHandler` built with ("", "") — as the long-connection
doc says — and a callback for every VC meeting event type. Each typed event the SDK hands to a
callback is printed as one `EVENT {json}` line (the SDK's own log lines go elsewhere or are
ignored). `start()` never returns and owns a module-level asyncio loop, hence a process.

    python feishu_ws_app.py <domain> <app_id> <app_secret>
"""

import json
import sys

import lark_oapi as lark

TYPES = [
    "meeting_started", "meeting_ended", "join_meeting", "leave_meeting",
    "all_meeting_started", "all_meeting_ended", "recording_started", "recording_ended",
    "recording_ready", "share_started", "share_ended", "participant_meeting_ended",
]


def seen(e):
    ev = e.event
    op = getattr(ev, "operator", None)
    leaver = getattr(ev, "leave_user", None)
    line = {
        "class": type(e).__name__,
        "event_type": e.header.event_type,
        "event_id": e.header.event_id,
        "app_id": e.header.app_id,
        "meeting_id": ev.meeting.id if ev.meeting else None,
        "operator": op.id.open_id if op and op.id else None,
        "leave_user": leaver.id.open_id if leaver and leaver.id else None,
        "leave_reason": getattr(ev, "leave_reason", None),
    }
    print("EVENT " + json.dumps(line), flush=True)


def main():
    domain, app_id, secret = sys.argv[1:4]
    b = lark.EventDispatcherHandler.builder("", "")
    for t in TYPES:
        b = getattr(b, f"register_p2_vc_meeting_{t}_v1")(seen)
    client = lark.ws.Client(app_id, secret, event_handler=b.build(), domain=domain,
                            log_level=lark.LogLevel.WARNING)
    client.start()


if __name__ == "__main__":
    main()
