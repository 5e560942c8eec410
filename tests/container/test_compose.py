"""The compose example (examples/compose/docker-compose.yml) without a container engine: valid
against the compose specification's JSON schema (tests/container/compose-spec.json, from
compose-spec/compose-spec at 170098b, Apache-2.0), wired as documented, and its `meetmock`
service's environment run here with the image's, then the `tests` service's test file run
against it through the helper exactly as the `tests` container would (MEETMOCK_URL + token).
"""

import json
import os
import pathlib
import re
import subprocess
import sys

import jsonschema
import yaml

from conftest import ROOT, binary, http

COMPOSE = ROOT / "examples/compose/docker-compose.yml"
SCHEMA = pathlib.Path(__file__).with_name("compose-spec.json")


def compose():
    return yaml.safe_load(COMPOSE.read_text())


def interpolate(value):
    """Compose's `${VAR:-default}` with the variable unset (what CI and a fresh shell have)."""
    return re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: os.environ.get(m.group(1)) or m.group(2), value)


def test_the_compose_file_is_valid_against_the_compose_specification():
    schema = json.loads(SCHEMA.read_text())
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}"
              for e in jsonschema.Draft7Validator(schema).iter_errors(compose())]
    assert errors == []


def test_the_schema_check_refuses_a_misspelt_key():
    schema = json.loads(SCHEMA.read_text())
    bad = compose()
    bad["services"]["meetmock"]["healthchek"] = bad["services"]["meetmock"].pop("healthcheck")
    assert list(jsonschema.Draft7Validator(schema).iter_errors(bad))


def test_the_services_are_wired_as_documented():
    c = compose()
    mm, tests = c["services"]["meetmock"], c["services"]["tests"]
    assert (COMPOSE.parent / mm["build"]["context"] / "Dockerfile").is_file()
    assert "8080:8080" in mm["ports"]
    assert mm["healthcheck"]["test"] == ["CMD", "meetmock", "health"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in mm["volumes"]}
    assert set(mounts) == {"/data", "/certs"} and set(mounts.values()) <= set(c["volumes"])
    assert mm["environment"]["MEETMOCK_STATE_FILE"].startswith("/data/")
    assert tests["depends_on"]["meetmock"]["condition"] == "service_healthy"
    assert tests["environment"]["MEETMOCK_URL"] == "http://meetmock:8080"
    assert tests["environment"]["MEETMOCK_ADMIN_TOKEN"] == mm["environment"]["MEETMOCK_ADMIN_TOKEN"]
    assert any(v.startswith("meetmock-certs:/certs") for v in tests["volumes"])
    assert (COMPOSE.parent / "test_invite.py").is_file() and "test_invite.py" in tests["command"][-1]


def test_every_meetmock_variable_the_compose_file_sets_is_a_serve_setting():
    help_text = subprocess.run([str(binary()), "serve", "--help"], capture_output=True, text=True).stdout
    known = set(re.findall(r"\[env: (MEETMOCK_\w+)=", help_text))
    for service in compose()["services"].values():
        for name in service.get("environment", {}):
            if name.startswith("MEETMOCK_") and name not in ("MEETMOCK_URL", "MEETMOCK_CERT"):
                assert name in known, f"{name} is not a serve setting"


def test_the_example_test_passes_against_the_service_as_compose_configures_it(container):
    c = compose()
    env = {k: interpolate(str(v)) for k, v in c["services"]["meetmock"]["environment"].items()}
    server = container(env)
    token = env["MEETMOCK_ADMIN_TOKEN"]
    # The library scenario it names is loaded (meetmock serve read /etc/meetmock/scenarios/…).
    status, body = http("GET", server.url + "/__admin/scenarios", headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and any(s["name"] == "feishu-meeting-locked" for s in body["scenarios"]), body
    tests_env = {k: interpolate(str(v)) for k, v in c["services"]["tests"]["environment"].items()}
    tests_env["MEETMOCK_URL"] = server.url  # the service name resolves only inside compose
    tests_env["MEETMOCK_CERT"] = str(server.paths["/certs"] / "meetmock.pem")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_invite.py"],
                       cwd=COMPOSE.parent, env={**os.environ, **tests_env}, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 passed" in r.stdout
    assert server.stop() == 0
    assert (server.paths["/data"] / "state.json").is_file()
