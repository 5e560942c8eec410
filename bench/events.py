"""Event-delivery workloads of the benchmark (issue 17): run from bench/run.py (`--events`,
`--only-events`), which provides the helpers (`import __main__ as run`: wrk, pinning, Proc).

1. Feishu invite + kickout cycles (every request a domain change through the bus and the
   engine's sink) with no subscription and with an active subscription to a local receiver,
   against the bare-hyper ceiling of the same run (target >= 0.6x).
2. Signed + encrypted Feishu events delivered per second with the server on one core: events
   are queued behind a paused subscription, then released to a local receiver (the hyper
   ceiling binary on the other core, which answers 200); the drain is timed (target >= 20,000/s).
3. Memory with a dead receiver: join/leave load for a while with the subscription pointing at a
   closed port; the outbox stays at its cap, drops are counted, RSS stays flat.
"""

import json
import time

import __main__ as run

APP, SECRET = "cli_bench_events", "bench_events_secret"
EK, VT = "bench-encrypt-key", "bench-verification-token"
MEETINGS, USERS = 64, 1000


def meeting_id(i):
    return f"72{i:017d}"


def scenario_path():
    users = [{"id": "ou_h", "name": "Host"}] + [{"id": f"ou_u{j:04d}", "name": f"U{j}"} for j in range(USERS)]
    meetings = [{"id": meeting_id(i), "host": "ou_h", "state": "in_progress", "capacity": 5000}
                for i in range(MEETINGS)]
    # Invitees of meeting 1 accept at once and leave at once: every invite there that finds the
    # guest out of the meeting becomes a join and a leave (README "Living invites").
    behaviours = [{"meeting": meeting_id(i), "outcome": "accept", "stay": 0} for i in range(1, MEETINGS)]
    doc = {"name": "bench-events", "rate_limits": {"feishu": "off"},
           "tenants": [{"vendor": "feishu", "id": APP, "secret": SECRET, "users": users, "meetings": meetings,
                        "behaviours": behaviours}]}
    path = run.WORK / "events-scenario.json"
    path.write_text(json.dumps(doc))
    return path


def start(extra):
    port = run.free_port()
    argv = [str(run.BIN), "serve", "--listen", f"127.0.0.1:{port}", "--threads", "1", "--no-demo",
            "--scenario", str(scenario_path())] + extra
    env = dict(run.os.environ, MEETMOCK_LOG="warn")
    return run.Proc(argv, f"http://127.0.0.1:{port}/__admin/health", env), f"http://127.0.0.1:{port}"


def tokens(base):
    _, a = run.call("POST", base + "/open-apis/auth/v3/app_access_token/internal", {"app_id": APP, "app_secret": SECRET})
    _, t = run.call("POST", base + "/open-apis/auth/v3/tenant_access_token/internal", {"app_id": APP, "app_secret": SECRET})
    _, c = run.call("POST", base + "/__admin/vendors/feishu/login_code", {"app_id": APP, "user": "ou_h"})
    _, u = run.call("POST", base + "/open-apis/authen/v1/oidc/access_token",
                    {"grant_type": "authorization_code", "code": c["code"]},
                    {"Authorization": "Bearer " + a["app_access_token"], "Content-Type": "application/json"})
    return u["data"]["access_token"], t["tenant_access_token"]


def subscribe(base, url, paused=False):
    status, body = run.call("POST", base + "/__admin/subscriptions", {
        "vendor": "feishu", "tenant": APP, "url": url, "encrypt_key": EK, "verification_token": VT,
        "verify": False, "paused": paused}, {"Content-Type": "application/json"})
    assert status == 200, body
    return body["id"]


def stats(base):
    return run.call("GET", base + "/__admin/health")[1]["events"]


def invite_kick_script(base, user, tenant):
    """Invite a guest (user token) then kick them out (tenant token), 32 guests in turn."""
    m = meeting_id(0)
    reqs = []
    for j in range(32):
        guest = f"ou_u{j:04d}"
        reqs.append(run.raw_request("PATCH", f"/open-apis/vc/v1/meetings/{m}/invite?user_id_type=open_id",
                                    {"Authorization": "Bearer " + user, "Content-Type": "application/json; charset=utf-8"},
                                    json.dumps({"invitees": [{"id": guest, "user_type": 1}]}).encode()))
        reqs.append(run.raw_request("POST", f"/open-apis/vc/v1/meetings/{m}/kickout?user_id_type=open_id",
                                    {"Authorization": "Bearer " + tenant, "Content-Type": "application/json; charset=utf-8"},
                                    json.dumps({"kickout_users": [{"id": guest, "user_type": 1}]}).encode()))
    return run.file_script(reqs, "invite-kick")


def admin_script(name, pairs, actions):
    reqs = []
    for m, u in pairs:
        for a in actions:
            reqs.append(run.raw_request("POST", f"/__admin/meetings/{meeting_id(m)}/{a}",
                                        {"Content-Type": "application/json"},
                                        json.dumps({"vendor": "feishu", "tenant": APP, "user": f"ou_u{u:04d}"}).encode()))
    return run.file_script(reqs, name)


def changes(base):
    return run.call("GET", base + "/__admin/changes?limit=1")[1]["last_seq"]


def invite_throughput(args, ceiling, receiver_url, rows):
    mm, base = start([])
    user, tenant = tokens(base)
    script = invite_kick_script(base, user, tenant)
    secs = (args.repeat * args.duration + args.warmup) or 1
    # The main table's Feishu invite (the same guest again: no change) with a subscription on.
    subscribe(base, receiver_url)
    static = run.static_script("PATCH", json.dumps({"invitees": [{"id": "ou_u0001", "user_type": 1}]}),
                               {"Authorization": "Bearer " + user, "Content-Type": "application/json; charset=utf-8"})
    r = run.measure(mm, base + f"/open-apis/vc/v1/meetings/{meeting_id(0)}/invite?user_id_type=open_id", static, args)
    rows.append(run.row("Feishu invite (as in the table above), subscription on", r, ceiling) + " - |")
    run.call("DELETE", base + "/__admin/subscriptions/" + f"feishu-{APP}-1")
    for label, sub in (("no subscription", False), ("subscription on (signed+encrypted)", True)):
        if sub:
            subscribe(base, receiver_url)
        c0 = changes(base)
        r = run.measure(mm, base + "/", script, args)
        per_s = (changes(base) - c0) / secs
        rows.append(run.row(f"Feishu invite + kickout, {label}", r, ceiling) + f" {per_s:,.0f} changes/s |")
    # Invites that become events: the guest accepts and leaves at once (declared behaviour in
    # meetings 1..63); every join and leave is encrypted, signed and delivered during the load.
    reqs = [run.raw_request("PATCH", f"/open-apis/vc/v1/meetings/{meeting_id(i)}/invite?user_id_type=open_id",
                            {"Authorization": "Bearer " + user, "Content-Type": "application/json; charset=utf-8"},
                            json.dumps({"invitees": [{"id": "ou_u0000", "user_type": 1}]}).encode())
            for i in range(1, MEETINGS)]
    d0 = stats(base)["delivered"]
    r = run.measure(mm, base + "/", run.file_script(reqs, "invite-events"), args)
    s = stats(base)
    rows.append(run.row("Feishu invite, answered and left at once (63 meetings): events delivered", r, ceiling)
                + f" {(s['delivered'] - d0) / secs:,.0f} events/s delivered, {s['dropped_outbox_full']:,} dropped |")
    mm.stop()


def delivery_throughput(args, receiver_url, out):
    mm, base = start(["--events-capacity", "200000"])
    sub = subscribe(base, receiver_url, paused=True)
    pairs = [(m, u) for u in range(USERS) for m in range(MEETINGS)]
    # Every (meeting, user) joins once, in slices (each wrk run starts its list over; a repeated
    # join changes nothing).
    step = 16_000
    for k in range(0, len(pairs), step):
        run.wrk(base + "/", admin_script(f"joins-{k}", pairs[k:k + step], ["join"]), 4, args.connections)
    queued = run.call("GET", base + "/__admin/events/count?status=pending")[1]["count"]
    c0, t0 = mm.cpu_ticks(), time.perf_counter()
    run.call("POST", base + f"/__admin/subscriptions/{sub}/resume", {})
    while True:
        s = stats(base)
        if s["unfinished"] == 0 or time.perf_counter() - t0 > 300:
            break
        time.sleep(0.02)
    secs = time.perf_counter() - t0
    cpu = 100.0 * (mm.cpu_ticks() - c0) / run.TICKS / secs
    out.append(f"- signed + encrypted Feishu events delivered on one server core: {s['delivered']:,} in "
               f"{secs:.2f} s = **{s['delivered'] / secs:,.0f} events/s** (server CPU {cpu:.0f}%, "
               f"{s['failed']} failed, {queued:,} queued before the release); RSS {mm.rss_mib():.1f} MiB")
    mm.stop()


def dead_receiver(args, out):
    mm, base = start([])
    subscribe(base, "http://127.0.0.1:1/")
    pairs = [(m, u) for u in range(100) for m in range(MEETINGS)]
    script = admin_script("join-leave", pairs, ["join", "leave"])
    idle = mm.rss_mib()
    samples = []
    total = 0
    for _ in range(4):
        r = run.wrk(base + "/", script, 5, args.connections)
        total += r["total"]
        samples.append(mm.rss_mib())
    s = stats(base)
    out.append(f"- dead receiver, {total:,} join/leave requests in 20 s: outbox {s['unfinished']:,} of "
               f"{s['capacity']:,} (the cap), {s['dropped_outbox_full']:,} dropped and counted; RSS idle "
               f"{idle:.1f} MiB, then {', '.join(f'{x:.1f}' for x in samples)} MiB every 5 s")
    mm.stop()


def run_events(args, ceiling, rows):
    """Appends table rows to `rows` and prints the delivery figures."""
    port = run.free_port()
    # The receiver answers 200 to the POST (the ceiling binary), pinned to the load core.
    receiver = run.Proc([str(run.CEILING), f"127.0.0.1:{port}", "1"], f"http://127.0.0.1:{port}/",
                        core=run.LOAD_CORE)
    receiver_url = f"http://127.0.0.1:{port}/open-apis/vc/v1/meetings/events/invite"
    out = []
    try:
        invite_throughput(args, ceiling, receiver_url, rows)
        delivery_throughput(args, receiver_url, out)
        dead_receiver(args, out)
    finally:
        receiver.stop()
    return out
