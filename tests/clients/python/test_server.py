"""The binary itself, as a client sees it: health, TLS on the same port, admin errors."""

import json
import ssl
import urllib.request


def test_health_answers_ok(server):
    status, body = server.admin("GET", "/health")
    assert status == 200
    assert body["status"] == "ok"


def test_https_on_the_same_port_is_trusted_with_the_written_certificate(server):
    ctx = ssl.create_default_context(cafile=server.cert_path)
    with urllib.request.urlopen(server.https_base + "/__admin/health", context=ctx, timeout=10) as r:
        assert r.status == 200
        assert json.loads(r.read())["status"] == "ok"


def test_unknown_admin_endpoint_is_a_json_404(server):
    status, body = server.admin("GET", "/nope")
    assert status == 404
    assert body["error"] == "not_found"
