"""The Dockerfile, checked without building the image: its pins, user, volumes and health check
as written; its runtime ENV/ENTRYPOINT/CMD/HEALTHCHECK run against the built binary; its build
steps replayed against the tree (the dependency layer in a scratch directory with only what it
copies, cargo checking targets and lockfile offline; the final cargo command with --locked).
"""

import json
import os
import pathlib
import re
import shutil
import subprocess

from conftest import ROOT, dockerfile, http, non_loopback_address

DIGEST = re.compile(r"^[\w./-]+:[\w.-]*\d[\w.-]*@sha256:[0-9a-f]{64}$")


def test_every_base_image_is_pinned_by_version_and_digest():
    bases = [s.base for s in dockerfile()]
    assert len(bases) == 2
    for b in bases:
        assert DIGEST.match(b), f"FROM {b}: want name:version@sha256:<digest>"


def test_the_runtime_runs_as_a_numeric_non_root_user_that_the_image_creates():
    runtime = dockerfile()[-1]
    user = runtime.last("USER")["value"]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and gid.isdigit() and int(uid) != 0 and int(gid) != 0, user
    created = " ".join(i["value"] for i in runtime.all("RUN"))
    assert f"--uid {uid}" in created and f"--gid {gid}" in created


def test_the_state_file_and_the_certificate_have_volumes_the_user_owns():
    runtime = dockerfile()[-1]
    volumes = json.loads(runtime.last("VOLUME")["value"])
    assert volumes == ["/data", "/certs"]
    assert runtime.env()["MEETMOCK_WRITE_CERT"].startswith("/certs/")
    run = " ".join(i["value"] for i in runtime.all("RUN"))
    assert "chown meetmock:meetmock /data /certs" in run
    assert "MEETMOCK_STATE_FILE (on /data)" in (ROOT / "Dockerfile").read_text()


def test_the_health_check_is_meetmock_health_and_the_runtime_has_no_curl():
    runtime = dockerfile()[-1]
    hc = runtime.last("HEALTHCHECK")["value"]
    assert re.search(r'CMD \["meetmock", "health"\]$', hc), hc
    assert "curl" not in " ".join(i["value"] for i in runtime.all("RUN"))
    assert runtime.last("STOPSIGNAL")["value"] == "SIGTERM"


def test_the_image_command_serves_with_its_env_answers_health_and_keeps_admin_local(container):
    c = container()
    assert c.env["MEETMOCK_LISTEN"].startswith("0.0.0.0:")
    # HEALTHCHECK: the same command, the same environment.
    health = c.run(["health"])
    assert health.returncode == 0, health.stdout + health.stderr
    # The certificate went to the /certs volume; the library is where the image copies it.
    assert (c.paths["/certs"] / "meetmock.pem").read_text().startswith("-----BEGIN CERTIFICATE-----")
    status, body = http("GET", c.url + "/__admin/health")
    assert status == 200 and body["status"] == "ok"
    # Vendor APIs answer on the published address; the admin API only over loopback.
    status, _ = http("POST", c.url + "/__admin/scenarios/library/feishu-meeting-locked.yaml")
    assert status == 200
    addr = non_loopback_address()
    if addr:
        base = f"http://{addr}:{c.port}"
        status, body = http("POST", base + "/open-apis/auth/v3/tenant_access_token/internal",
                            {"app_id": "cli_demo_feishu", "app_secret": "demo_feishu_secret"})
        assert status == 200 and body["code"] == 0
        status, _ = http("GET", base + "/__admin/tenants")
        assert status == 403
    assert c.stop() == 0


def test_with_a_token_and_a_state_file_the_admin_api_is_remote_and_state_survives(container):
    extra = {"MEETMOCK_ADMIN_TOKEN": "t0ken", "MEETMOCK_STATE_FILE": "/data/state.json"}
    c = container(extra)
    addr = non_loopback_address() or "127.0.0.1"
    base = f"http://{addr}:{c.port}/__admin"
    assert http("GET", base + "/tenants")[0] == 401
    status, _ = http("POST", base + "/meetings/7000000000000000028/lock", {"vendor": "feishu"},
                     {"Authorization": "Bearer t0ken"})
    assert status == 200
    assert c.stop() == 0  # SIGTERM, the image's STOPSIGNAL: saved and exited cleanly
    state = json.loads((c.paths["/data"] / "state.json").read_text())
    assert "tenants" in state
    again = container(extra)
    status, body = http("GET", again.url + "/__admin/meetings/7000000000000000028?vendor=feishu",
                        headers={"Authorization": "Bearer t0ken"})
    assert status == 200 and body["meeting"]["locked"] is True


def _build_stage():
    build = dockerfile()[0]
    assert build.name == "build"
    return build


def test_every_file_a_copy_step_names_is_in_the_build_context():
    ignored = [l.strip() for l in (ROOT / ".dockerignore").read_text().splitlines()
               if l.strip() and not l.startswith("#")]
    for stage in dockerfile():
        for ins in stage.all("COPY"):
            words = ins["value"].split()
            if words[0].startswith("--from="):
                continue
            for src in words[:-1]:
                if src == ".":
                    continue
                assert (ROOT / src).exists(), f"COPY {src}: not in the context"
                assert src not in ignored, f"COPY {src}: excluded by .dockerignore"
    for must in ("target", ".venv", ".git", "**/node_modules"):
        assert must in ignored


def test_the_runtime_copies_the_binary_the_build_stage_makes():
    build, runtime = _build_stage(), dockerfile()[-1]
    workdir = build.last("WORKDIR")["value"]
    final = build.all("RUN")[-1]["value"]
    assert "cargo build --release --locked --bin meetmock" in final
    copy = next(i["value"] for i in runtime.all("COPY") if i["value"].startswith("--from=build"))
    assert copy.split()[1] == f"{workdir}/target/release/meetmock"


def test_the_dependency_layer_builds_from_the_manifests_and_stubs_alone(tmp_path):
    """The steps before `COPY . .`, replayed in a scratch directory holding only what they copy;
    `cargo` is a shim that records its arguments and runs `cargo fetch --locked --offline`,
    which refuses a manifest whose targets lack their files or a lockfile out of step."""
    build = _build_stage()
    steps = build.instructions
    cut = next(i for i, s in enumerate(steps) if s["instruction"] == "COPY" and s["value"] == ". .")
    before = steps[:cut]
    copies = [s for s in before if s["instruction"] == "COPY"]
    assert copies, "no dependency layer: nothing is copied before the sources"
    for s in copies:
        for src in s["value"].split()[:-1]:
            shutil.copy(ROOT / src, tmp_path / src)
    shim_dir = tmp_path.parent / (tmp_path.name + "-bin")
    shim_dir.mkdir()
    log = tmp_path.parent / (tmp_path.name + "-cargo.log")
    real = shutil.which("cargo")
    (shim_dir / "cargo").write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{real}" fetch --locked --offline -q\n')
    (shim_dir / "cargo").chmod(0o755)
    runs = [s["value"] for s in before if s["instruction"] == "RUN" and "apt-get" not in s["value"]]
    assert runs, "no RUN step in the dependency layer"
    env = {**os.environ, "PATH": f"{shim_dir}:{os.environ['PATH']}"}
    for cmd in runs:
        r = subprocess.run(["sh", "-c", cmd], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, f"RUN {cmd}\n{r.stdout}{r.stderr}"
    recorded = log.read_text().split()
    assert {"build", "--release", "--locked"} <= set(recorded), recorded
    # The stubs are gone again, so `COPY . .` brings the real sources.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Cargo.lock", "Cargo.toml", "target"] or \
        sorted(p.name for p in tmp_path.iterdir()) == ["Cargo.lock", "Cargo.toml"]


def test_the_final_cargo_command_builds_the_tree_with_locked():
    """The image's `cargo build --release --locked --bin meetmock`, as a debug build here (no
    release builds on these machines): --locked must accept the committed lockfile."""
    final = _build_stage().all("RUN")[-1]["value"]
    cargo = final[final.index("cargo build"):].split()
    assert "--locked" in cargo
    cargo = [w for w in cargo if w != "--release"]
    r = subprocess.run(cargo, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    assert pathlib.Path(ROOT / "target" / "debug" / "meetmock").exists() or os.environ.get("CARGO_TARGET_DIR")
