"""The admin API's OpenAPI document, read by an independent validator: served at
/__admin/openapi.json, it is a valid OpenAPI 3.0 document by the official schema
(openapi-spec-validator), and each described GET without required parameters answers as the
document says. (tests/api/admin_openapi.rs checks it against the dispatcher's table.)"""

from openapi_spec_validator import validate


def test_the_admin_openapi_document_is_valid_openapi_3(server):
    status, doc = server.admin("GET", "/openapi.json")
    assert status == 200
    validate(doc)
    assert doc["openapi"].startswith("3.0")
    assert "/__admin/requests/unmatched" in doc["paths"]


def test_every_parameterless_get_answers_with_a_described_status(server):
    _, doc = server.admin("GET", "/openapi.json")
    for path, item in doc["paths"].items():
        op = item.get("get")
        if op is None or "{" in path or path.endswith("/stream") or path.endswith("/ui"):
            continue
        status, _ = server.admin("GET", path[len("/__admin"):])
        assert str(status) in op["responses"], (path, status)
