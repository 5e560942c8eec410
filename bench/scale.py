"""The scale figures of the benchmark: start-up, idle RSS, RSS after a million requests, 1,000
keep-alive connections, and 10,000 meetings x 2,000 invitees stored. Run from bench/run.py
(unless `--no-scale`), which provides the helpers (`import __main__ as run`).
"""

import json
import statistics
import time

import __main__ as run


def scale(args):
    print("\n## Scale")
    times = []
    for _ in range(10):
        p, _ = run.start_meetmock()
        times.append(p.ready_ms)
        idle = p.rss_mib()
        p.stop()
    print(f"- start-up to first answered request: median {statistics.median(times):.1f} ms "
          f"(min {min(times):.1f}, max {max(times):.1f}, 10 starts)")
    print(f"- idle RSS: {idle:.1f} MiB")
    p, base = run.start_meetmock()
    w = run.setup_vendors(base)
    method, target, headers, body = w["feishu"]
    script = run.static_script(method, body, headers)
    total = 0
    while total < 1_000_000:
        total += run.wrk(base + target, script, 5, args.connections)["total"]
    print(f"- RSS after {total:,} requests (journal at capacity 10,000): {p.rss_mib():.1f} MiB")
    r = run.wrk(base + target, script, 5, 1000)
    print(f"- 1,000 keep-alive connections: {r['rps']:,.0f} req/s, p99 {r['p99']:.2f} ms, errors {r['errors']}")
    p.stop()
    p, base = run.start_meetmock()
    t0 = time.perf_counter()
    n = 10_000
    stored = load_big_state(base, n)
    secs = time.perf_counter() - t0
    rss = p.rss_mib()
    tsmall = run.file_script(run.tencent_requests(200_000, 3), "tencent-after")
    r = run.wrk(base + "/", tsmall, 3, args.connections)
    print(f"- {n:,} meetings x 2000 invitees stored ({stored:,} invitees, loaded in {secs:.0f} s): "
          f"RSS {rss:.0f} MiB; Tencent set invitees then {r['rps']:,.0f} req/s, p99 {r['p99']:.2f} ms")
    p.stop()


def load_big_state(base, n):
    """n meetings of the Tencent bench tenant (imported empty through PUT /__admin/state), then
    2000 invitees set on each through the real signed PUT invitees API (keep-alive client)."""
    import http.client
    _, state = run.call("GET", base + "/__admin/state")
    tenant = next(t for t in state["tenants"] if t["vendor"] == "tencent")
    ids = [f"72{k:017d}" for k in range(n)]
    for mid in ids:
        tenant["meetings"].append({"id": mid, "creator": "tu_host", "host": "tu_host"})
    status, body = run.call("PUT", base + "/__admin/state", json.dumps(state).encode(),
                        {"Content-Type": "application/json"})
    assert status == 200, body
    host, port = base.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port))
    payload = json.dumps({"instanceid": 1, "invitees": [{"userid": f"tu{i:05d}"} for i in range(2000)],
                          "userid": "tu_host"}, separators=(",", ":"))
    ts = str(int(time.time()))
    for k, mid in enumerate(ids):
        target = f"/v1/meetings/{mid}/invitees"
        nonce = str(90_000_000 + k)
        conn.request("PUT", target, payload.encode(), {
            "Content-Type": "application/json; charset=utf-8", "X-TC-Key": run.TENCENT_SECRET_ID,
            "AppId": run.TENCENT_APP, "SdkId": run.TENCENT_SDK, "X-TC-Nonce": nonce, "X-TC-Timestamp": ts,
            "X-TC-Registered": "1", "X-TC-Signature": run.tencent_sign("PUT", target, payload, nonce, ts)})
        r = conn.getresponse()
        r.read()
        assert r.status == 200, (r.status, mid)
    return n * 2000
