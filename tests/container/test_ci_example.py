"""The GitHub Actions example (examples/ci/github-actions.yml): a well-formed workflow whose
meetmock service uses the image's health command, publishes the port the job's MEETMOCK_URL
names, gives the admin API the token the job uses, and runs a test file that exists."""

import re
import shlex
import subprocess

import yaml

from conftest import ROOT, binary

CI = ROOT / "examples/ci/github-actions.yml"


def workflow():
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on".
    w = yaml.safe_load(CI.read_text())
    w["on"] = w.pop(True, w.get("on"))
    return w


def test_the_workflow_has_the_shape_github_reads():
    w = workflow()
    assert w["name"] and w["on"] and len(w["jobs"]) == 1
    job = next(iter(w["jobs"].values()))
    assert job["runs-on"].startswith("ubuntu-")
    for step in job["steps"]:
        assert ("uses" in step) != ("run" in step), step


def test_the_service_is_healthy_by_meetmock_health_and_reachable_with_a_token():
    job = next(iter(workflow()["jobs"].values()))
    svc = job["services"]["meetmock"]
    assert re.match(r"^[\w./-]+:\d+\.\d+\.\d+$", svc["image"]), "pin the image by version"
    opts = shlex.split(svc["options"])
    assert opts[opts.index("--health-cmd") + 1] == "meetmock health"
    host_port, _, container_port = svc["ports"][0].partition(":")
    assert container_port == "8080"
    assert job["env"]["MEETMOCK_URL"] == f"http://127.0.0.1:{host_port}"
    assert job["env"]["MEETMOCK_ADMIN_TOKEN"] == svc["env"]["MEETMOCK_ADMIN_TOKEN"]
    scenario = svc["env"]["MEETMOCK_SCENARIO"]
    assert (ROOT / "scenarios" / scenario.rsplit("/", 1)[-1]).is_file()
    help_text = subprocess.run([str(binary()), "serve", "--help"], capture_output=True, text=True).stdout
    for name in svc["env"]:
        assert f"[env: {name}=" in help_text


def test_the_steps_install_and_run_what_the_repository_has():
    job = next(iter(workflow()["jobs"].values()))
    runs = " ".join(s["run"] for s in job["steps"] if "run" in s)
    assert "./clients/python" in runs and (ROOT / "clients/python/pyproject.toml").is_file()
    for path in re.findall(r"pytest -q (\S+)", runs):
        assert (ROOT / path).is_file(), path
    pins = (ROOT / "tests/clients/python/requirements.txt").read_text()
    for pkg in re.findall(r"([a-z][\w-]+)==([\d.]+)", runs):
        assert f"{pkg[0]}=={pkg[1]}" in pins, pkg
