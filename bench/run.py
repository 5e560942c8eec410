#!/usr/bin/env python3
"""meetmock benchmark driver (stdlib only). Run through bench/run.sh.

Pins the server under test to core 0 and wrk to core 1, warms up, repeats each workload and
prints one table: req/s (median of the runs), p50, p99, errors, server CPU, RSS, and the ratio
to the bare hyper ceiling measured in the same run. Then the scale figures: start-up time to the
first answered request, idle RSS, RSS after a million requests, 1,000 keep-alive connections,
10k meetings x 2000 invitees stored, and peers (WireMock, Mockoon, Prism) where installable.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import pathlib
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = ROOT / "target" / "release" / "meetmock"
CEILING = ROOT / "target" / "release" / "examples" / "hyper_ceiling"
SCENARIO = ROOT / "bench" / "scenario.yaml"
WORK = pathlib.Path(tempfile.mkdtemp(prefix="meetmock-bench-"))
TICKS = os.sysconf("SC_CLK_TCK")
SERVER_CORE, LOAD_CORE = "0", "1"

# Credentials of bench/scenario.yaml.
FEISHU_APP, FEISHU_SECRET = "cli_bench_feishu", "bench_feishu_secret"
TENCENT_APP, TENCENT_SDK = "3000000001", "30000000011"
TENCENT_SECRET_ID, TENCENT_SECRET_KEY = "AKIDbenchSecretId", "benchSecretKey"
DING_KEY, DING_SECRET = "dingbenchkey", "bench_ding_secret"
HUAWEI_ACCOUNT, HUAWEI_PASSWORD = "bench_host", "Bench#Pass1"
MEETING = "7100000000000000001"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A server process pinned to the server core."""

    def __init__(self, argv, ready_url, env=None, core=SERVER_CORE, stderr=None):
        self.started = time.perf_counter()
        self.p = subprocess.Popen(
            ["taskset", "-c", core] + argv,
            stdout=subprocess.DEVNULL,
            stderr=stderr or subprocess.DEVNULL,
            env=env,
        )
        self.ready_ms = wait_ready(ready_url, self.started)

    def cpu_ticks(self):
        f = open(f"/proc/{self.p.pid}/stat").read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12])

    def rss_mib(self):
        """RSS of the process and all its descendants (a Node wrapper's Java child counts)."""
        total, todo = 0, [self.p.pid]
        while todo:
            pid = todo.pop()
            try:
                for line in open(f"/proc/{pid}/status"):
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                for task in os.listdir(f"/proc/{pid}/task"):
                    todo += [int(c) for c in open(f"/proc/{pid}/task/{task}/children").read().split()]
            except OSError:
                continue
        return total / 1024

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()


def wait_ready(url, started, limit=60):
    while time.perf_counter() - started < limit:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                r.read()
                return (time.perf_counter() - started) * 1000
        except urllib.error.HTTPError:
            return (time.perf_counter() - started) * 1000
        except Exception:
            time.sleep(0.001)
    raise RuntimeError(f"server at {url} did not answer")


def call(method, url, body=None, headers=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    # JSON by default: urllib would send application/x-www-form-urlencoded, which the admin API
    # refuses for changes (a cross-site page can send that type without a preflight).
    headers = {"Content-Type": "application/json", **(headers or {})}
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


# ---------------------------------------------------------------- wrk

LUA_STATIC = """
wrk.method = {method}
wrk.body = {body}
{headers}
"""

LUA_FILE = """
local reqs = {{}}
local i = 0
init = function(args)
  local f = io.open({path}, "rb")
  local data = f:read("*a")
  f:close()
  for r in string.gmatch(data, "([^%z]+)") do reqs[#reqs + 1] = r end
end
request = function()
  i = i + 1
  return reqs[((i - 1) % #reqs) + 1]
end
"""


def lua_str(s):
    return json.dumps(s)


def static_script(method, body, headers):
    h = "\n".join(f"wrk.headers[{lua_str(k)}] = {lua_str(v)}" for k, v in headers.items())
    path = WORK / f"static-{abs(hash((method, body, tuple(headers.items()))))}.lua"
    path.write_text(LUA_STATIC.format(method=lua_str(method), body=lua_str(body), headers=h))
    return path


def file_script(requests, name):
    data = WORK / f"{name}.reqs"
    with open(data, "wb") as f:
        for r in requests:
            f.write(r + b"\0")
    path = WORK / f"{name}.lua"
    path.write_text(LUA_FILE.format(path=lua_str(str(data))))
    return path


def raw_request(method, target, headers, body=b""):
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def parse_latency(text, label):
    m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m:
        return float("nan")
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v


def wrk(url, script, seconds, conns):
    out = subprocess.run(
        ["taskset", "-c", LOAD_CORE, "wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency",
         "-s", str(script), url],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1])
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    sock_errs = sum(int(x) for x in sock.groups()) if sock else 0
    return {"rps": rps, "p50": parse_latency(out, "50"), "p99": parse_latency(out, "99"),
            "errors": non2xx + sock_errs, "total": total, "raw": out}


def measure(proc, url, script, args, conns=None, expect_errors=False):
    """`script` is a wrk script, or a function returning a fresh one per run (signed requests
    whose nonces must never repeat)."""
    conns = conns or args.connections
    fresh = script if callable(script) else (lambda: script)
    wrk(url, fresh(), args.warmup, conns)
    runs = []
    for _ in range(args.repeat):
        run_script = fresh()
        t0, c0 = time.perf_counter(), proc.cpu_ticks()
        r = wrk(url, run_script, args.duration, conns)
        r["cpu"] = 100.0 * (proc.cpu_ticks() - c0) / TICKS / (time.perf_counter() - t0)
        runs.append(r)
    best = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
    best["rss"] = proc.rss_mib()
    best["runs"] = [round(r["rps"]) for r in runs]
    if best["errors"] and not expect_errors:
        print(best["raw"], file=sys.stderr)
    return best


# ---------------------------------------------------------------- vendor workloads


def tencent_sign(method, target, body, nonce, ts):
    header = f"X-TC-Key={TENCENT_SECRET_ID}&X-TC-Nonce={nonce}&X-TC-Timestamp={ts}"
    s = f"{method}\n{header}\n{target}\n{body}"
    hexd = hmac.new(TENCENT_SECRET_KEY.encode(), s.encode(), hashlib.sha256).hexdigest()
    return base64.b64encode(hexd.encode()).decode()


NONCE = [1]


def tencent_requests(count, invitees, start_nonce=None):
    """`count` distinct signed PUT invitees requests; nonces never repeat within a run."""
    if start_nonce is None:
        start_nonce = NONCE[0]
    NONCE[0] = start_nonce + count
    target = f"/v1/meetings/{MEETING}/invitees"
    body = json.dumps({"instanceid": 1, "invitees": [{"userid": f"tu{i:05d}"} for i in range(invitees)],
                       "userid": "tu_host"}, separators=(",", ":"))
    ts = str(int(time.time()))
    out = []
    for n in range(start_nonce, start_nonce + count):
        nonce = str(n)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-TC-Key": TENCENT_SECRET_ID, "AppId": TENCENT_APP, "SdkId": TENCENT_SDK,
            "X-TC-Nonce": nonce, "X-TC-Timestamp": ts, "X-TC-Registered": "1",
            "X-TC-Signature": tencent_sign("PUT", target, body, nonce, ts),
        }
        out.append(raw_request("PUT", target, headers, body.encode()))
    return out


def setup_vendors(base):
    """Tokens and requests for every vendor's invite workload: {name: (method, target, headers, body)}."""
    w = {}
    # Feishu: app token → login code (admin) → user token; the bench meeting is running.
    _, a = call("POST", base + "/open-apis/auth/v3/app_access_token/internal",
                {"app_id": FEISHU_APP, "app_secret": FEISHU_SECRET})
    _, c = call("POST", base + "/__admin/vendors/feishu/login_code", {"app_id": FEISHU_APP, "user": "ou_bench_host"})
    _, u = call("POST", base + "/open-apis/authen/v1/oidc/access_token",
                {"grant_type": "authorization_code", "code": c["code"]},
                {"Authorization": "Bearer " + a["app_access_token"], "Content-Type": "application/json"})
    w["feishu"] = ("PATCH", f"/open-apis/vc/v1/meetings/{MEETING}/invite?user_id_type=open_id",
                   {"Authorization": "Bearer " + u["data"]["access_token"],
                    "Content-Type": "application/json; charset=utf-8"},
                   json.dumps({"invitees": [{"id": "ou_bench_guest", "user_type": 1}]}))
    # DingTalk: access token; the bench conference is ongoing.
    _, d = call("POST", base + "/v1.0/oauth2/accessToken", {"appKey": DING_KEY, "appSecret": DING_SECRET})
    w["dingtalk"] = ("POST", f"/v1.0/conference/videoConferences/{DING_MEETING}/users/invite",
                     {"x-acs-dingtalk-access-token": d["accessToken"], "Content-Type": "application/json"},
                     json.dumps({"unionId": "ding_bench_host", "inviteeList": [{"unionId": "ding_bench_guest", "nick": "Guest"}]}))
    # Huawei: account login (Basic) → access token → control token of the running meeting.
    basic = base64.b64encode(f"{HUAWEI_ACCOUNT}:{HUAWEI_PASSWORD}".encode()).decode()
    _, h = call("POST", base + "/v1/usg/acs/auth/account", {"account": HUAWEI_ACCOUNT, "clientType": 72},
                {"Authorization": "Basic " + basic, "Content-Type": "application/json"})
    _, ct = call("GET", base + f"/v1/mmc/control/conferences/token?conferenceID={HUAWEI_MEETING}",
                 None, {"X-Access-Token": h["accessToken"], "X-Password": "111111", "X-Login-Type": "1"})
    w["huawei"] = ("POST", f"/v1/mmc/control/conferences/participants?conferenceID={HUAWEI_MEETING}",
                   {"X-Access-Token": h["accessToken"], "X-Conference-Authorization": ct["data"]["token"],
                    "Content-Type": "application/json"},
                   json.dumps({"attendees": [{"name": "Guest", "phone": "+8613800000001"}]}))
    return w


HUAWEI_MEETING = "910000001"
DING_MEETING = "71000000000000000000abcd"


# ---------------------------------------------------------------- runs


def start_meetmock(extra=None, port=None, log_to=None):
    """Request lines off (MEETMOCK_LOG=warn, stderr discarded), or on (info) into `log_to`."""
    port = port or free_port()
    argv = [str(BIN), "serve", "--listen", f"127.0.0.1:{port}", "--threads", "1", "--no-demo",
            "--scenario", str(SCENARIO)] + (extra or [])
    env = dict(os.environ, MEETMOCK_LOG="info" if log_to else "warn")
    return (Proc(argv, f"http://127.0.0.1:{port}/__admin/health", env, stderr=log_to),
            f"http://127.0.0.1:{port}")


def row(name, r, ceiling):
    ratio = r["rps"] / ceiling if ceiling else float("nan")
    return (f"| {name} | {r['rps']:,.0f} | {ratio:.2f} | {r['p50']:.2f} | {r['p99']:.2f} | "
            f"{r['errors']} | {r.get('cpu', 0):.0f}% | {r.get('rss', 0):.1f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10, help="seconds per measured run (10)")
    ap.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per workload (3)")
    ap.add_argument("--repeat", type=int, default=3, help="measured runs per workload; the median is kept (3)")
    ap.add_argument("--connections", type=int, default=64, help="keep-alive connections (64)")
    ap.add_argument("--quick", action="store_true", help="3 s runs, one repeat, no peers, no scale figures")
    ap.add_argument("--no-peers", action="store_true", help="skip WireMock, Mockoon, Prism")
    ap.add_argument("--no-scale", action="store_true", help="skip the scale figures")
    ap.add_argument("--only-peers", action="store_true", help="measure the ceiling and the peers only")
    ap.add_argument("--only-logs", action="store_true",
                    help="measure the ceiling and Feishu invite with request lines off and on only")
    ap.add_argument("--no-events", action="store_true", help="skip the event-delivery workloads")
    ap.add_argument("--only-events", action="store_true", help="measure the ceiling and the event workloads only")
    args = ap.parse_args()
    if args.quick:
        args.duration, args.warmup, args.repeat, args.no_peers, args.no_scale = 3, 1, 1, True, True

    print(f"# meetmock benchmark — {time.strftime('%Y-%m-%d')} — {platform.machine()}, "
          f"{os.cpu_count()} cores, {platform.platform()}")
    print(f"server pinned to core {SERVER_CORE} (1 runtime thread), wrk -t1 -c{args.connections} "
          f"pinned to core {LOAD_CORE}, {args.warmup}s warm-up, median of {args.repeat} x {args.duration}s\n")
    rows = []

    port = free_port()
    ceil = Proc([str(CEILING), f"127.0.0.1:{port}", "1"], f"http://127.0.0.1:{port}/")
    invite = static_script("PATCH", json.dumps({"invitees": [{"id": "ou_bench_guest", "user_type": 1}]}),
                           {"Content-Type": "application/json; charset=utf-8", "Authorization": "Bearer u-x"})
    c = measure(ceil, f"http://127.0.0.1:{port}/open-apis/vc/v1/meetings/{MEETING}/invite", invite, args)
    ceil.stop()
    ceiling = c["rps"]
    rows.append(row("hyper ceiling (fixed JSON)", c, ceiling))
    if args.only_peers:
        print("\n".join(rows[:1]))
        peers(args, ceiling)
        return
    if args.only_events:
        events_section(args, ceiling, rows[:1])
        return

    mm, base = start_meetmock()
    w = setup_vendors(base)
    for name in ("feishu", "dingtalk", "huawei"):
        method, target, headers, body = w[name]
        r = measure(mm, base + target, static_script(method, body, headers), args)
        rows.append(row(f"{name} invite", r, ceiling))
        if args.only_logs:
            break
    if args.only_logs:
        mm.stop()
        from logs import only_logs

        only_logs(args, ceiling, rows)
        shutil.rmtree(WORK, ignore_errors=True)
        return
    per_run = min(int(ceiling * max(args.duration, args.warmup) * 1.3) + 1000, 2_000_000)
    small = lambda: file_script(tencent_requests(per_run, 3), "tencent-small")  # noqa: E731
    r = measure(mm, base + "/", small, args)
    rows.append(row("tencent set invitees (3, signed)", r, ceiling))
    big = lambda: file_script(tencent_requests(6000, 2000), "tencent-2000")  # noqa: E731
    r = measure(mm, base + "/", big, argparse.Namespace(**{**vars(args), "warmup": 1, "duration": 2, "repeat": 1}), conns=4)
    _, j = call("GET", base + "/__admin/requests?operation=" + "v1_meetings_meeting_id_invitees_put" + "&limit=1000")
    server_us = sorted(e["duration_us"] for e in j.get("requests", [])) or [0]
    rows.append(row("tencent set invitees (2000, signed, c=4)", r, ceiling))
    two_k_server_ms = server_us[len(server_us) // 2] / 1000
    # Mixed load: every vendor in turn, plus 50 fault rules that never match, journal full.
    call("POST", base + "/__admin/faults", {"faults": [
        {"name": f"never-{i}", "match": {"vendor": v, "headers": {"X-Never": str(i)}}, "error": e}
        for i, (v, e) in enumerate([("feishu", "121001"), ("dingtalk", "systemError")] * 25)]})
    fixed = [raw_request(*w[name][:3], w[name][3].encode()) for name in ("feishu", "dingtalk", "huawei")]

    def mixed():
        reqs = []
        for t in tencent_requests(per_run // 4, 3):
            reqs.extend(fixed)
            reqs.append(t)
        return file_script(reqs, "mixed")

    r = measure(mm, base + "/", mixed, args)
    rows.append(row("mixed 4 vendors + 50 fault rules, journal full", r, ceiling))
    mm.stop()
    from logs import logged_invite

    logged, note = logged_invite(args, ceiling)
    rows.insert(2, logged)

    print("| workload | req/s | x ceiling | p50 ms | p99 ms | errors | server CPU | RSS MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for line in rows:
        print(line)
    print(f"\nTencent 2000-invitee overwrite, server time (journal, median): {two_k_server_ms:.2f} ms")
    print(note)
    if not args.no_events:
        events_section(args, ceiling, rows[:1])

    if not args.no_scale:
        from scale import scale

        scale(args)
    if not args.no_peers:
        peers(args, ceiling)
    shutil.rmtree(WORK, ignore_errors=True)


def events_section(args, ceiling, rows):
    """The event-delivery workloads (bench/events.py)."""
    from events import run_events

    print("\n## Events")
    out = run_events(args, ceiling, rows)
    print("| workload | req/s | x ceiling | p50 ms | p99 ms | errors | server CPU | RSS MiB | changes/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for line in rows:
        print(line if line.count("|") > 9 else line + " - |")
    print()
    for line in out:
        print(line)


def peers(args, ceiling):
    print("\n## Peers (same Feishu invite request, same pinning)")
    print("| server | req/s | x ceiling | p50 ms | p99 ms | errors | start-up | RSS MiB |")
    print("|---|---|---|---|---|---|---|---|")
    invite = static_script("PATCH", json.dumps({"invitees": [{"id": "ou_bench_guest", "user_type": 1}]}),
                           {"Content-Type": "application/json; charset=utf-8", "Authorization": "Bearer u-x"})
    peer_dir = WORK / "peers"
    peer_dir.mkdir(exist_ok=True)
    if subprocess.run(["npm", "install", "--silent", "--prefix", str(peer_dir), "wiremock@3",
                       "@mockoon/cli@9", "@stoplight/prism-cli@5"], capture_output=True).returncode != 0:
        print("| (npm install of the peers failed: skipped) |")
        return
    binp = peer_dir / "node_modules" / ".bin"
    path = f"/open-apis/vc/v1/meetings/{MEETING}/invite"
    for name, argv_for in [
        ("WireMock 3 (npm wiremock, Java)", lambda p: [str(binp / "wiremock"), "--port", str(p), "--root-dir",
                                                    str(ROOT / "bench" / "peers" / "wiremock"), "--disable-banner"]),
        ("Mockoon CLI 9", lambda p: [str(binp / "mockoon-cli"), "start", "--data",
                                     str(ROOT / "bench" / "peers" / "mockoon.json"), "--port", str(p)]),
        ("Prism 5", lambda p: [str(binp / "prism"), "mock", "-p", str(p), "-h", "127.0.0.1",
                               str(ROOT / "bench" / "peers" / "prism.yaml")]),
    ]:
        port = free_port()
        try:
            proc = Proc(argv_for(port), f"http://127.0.0.1:{port}{path}")
        except Exception as e:  # noqa: BLE001 — a peer that does not start is reported, not fatal
            print(f"| {name} | did not start: {e} |")
            continue
        r = measure(proc, f"http://127.0.0.1:{port}{path}", invite,
                    argparse.Namespace(**{**vars(args), "repeat": 1}))
        print(f"| {name} | {r['rps']:,.0f} | {r['rps'] / ceiling:.3f} | {r['p50']:.2f} | {r['p99']:.2f} | "
              f"{r['errors']} | {proc.ready_ms / 1000:.1f} s | {r['rss']:.0f} |")
        proc.stop()


if __name__ == "__main__":
    main()
