"""The request-log workload of the benchmark (issue 21): run from bench/run.py (in the full
run, or alone with `--only-logs`), which provides the helpers (`import __main__ as run`).

Feishu invite with meetmock's one INFO line per request on (`MEETMOCK_LOG=info`, stderr to a
file) beside the same workload with them off (the rest of the bench runs with `warn`), and how
many request lines reached the file (the writer thread drops lines rather than stall requests).
"""

import __main__ as run


def logged_invite(args, ceiling):
    """Feishu invite with one INFO line per request written to a file (the writer thread runs
    on the server's core too); returns the row and how many request lines reached the file."""
    path = run.WORK / "requests.log"
    with open(path, "wb") as log:
        mm, base = run.start_meetmock(log_to=log)
        method, target, headers, body = run.setup_vendors(base)["feishu"]
        r = run.measure(mm, base + target, run.static_script(method, body, headers), args)
        _, h = run.call("GET", base + "/__admin/health")
        mm.stop()
    with open(path, "rb") as f:
        lines = sum(1 for line in f if b" request " in line)
    served = h.get("requests", 0)
    note = f"request lines written: {lines:,} of {served:,} requests served"
    if lines < served:
        note += f" ({served - lines:,} dropped by the writer thread when the file fell behind)"
    return run.row("feishu invite, request lines on (stderr to a file)", r, ceiling), note


def only_logs(args, ceiling, rows):
    """`--only-logs`: the ceiling and Feishu invite with request lines off (`rows`), then on."""
    logged, note = logged_invite(args, ceiling)
    print("| workload | req/s | x ceiling | p50 ms | p99 ms | errors | server CPU | RSS MiB |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows + [logged]))
    print("\n" + note)
