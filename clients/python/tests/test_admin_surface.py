"""The rest of the helper's surface: scenarios in every form, fault switches, the clock and the
per-test cleanup, user and tenant calls, attaching to a running server, a private server with
an admin token, state export/import, and the errors a user sees.
"""

import pathlib
import urllib.request

import pytest

from meetmock import AdminError, Meetmock, MeetmockServer, describe


def test_a_library_scenario_by_name_loads_and_its_rule_is_listed(meetmock):
    r = meetmock.load_scenario("feishu-meeting-locked")
    assert r["file"] == "feishu-meeting-locked.yaml"
    assert any(s["name"] == r["loaded"] for s in meetmock.scenarios())
    names = [f["file"] for f in meetmock.library()]
    assert "dingtalk-throttled.yaml" in names


def test_scenarios_load_from_yaml_text_a_file_and_a_dict(meetmock, tmp_path):
    yaml = "name: from-text\ntenants:\n  - {vendor: feishu, id: cli_mm_text_case, secret: s}\n"
    assert meetmock.load_scenario(yaml)["loaded"] == "from-text"
    f = tmp_path / "file-case.yaml"
    f.write_text("tenants:\n  - {vendor: dingtalk, id: dingmm_file_case, secret: s}\n")
    assert meetmock.load_scenario(pathlib.Path(f))["tenants"] == 1
    assert meetmock.load_scenario(data={"tenants": [{"vendor": "tencent", "id": "399000111", "secret": "k"}]})
    ids = {t["id"] for t in meetmock.tenants()}
    assert {"cli_mm_text_case", "dingmm_file_case", "399000111"} <= ids


def test_a_bad_scenario_is_refused_with_the_servers_message_and_nothing_loads(meetmock):
    before = len(meetmock.scenarios())
    with pytest.raises(AdminError) as e:
        meetmock.load_scenario("faults:\n  - match: {vendor: feishu}\n    error: no_such_error\n")
    assert e.value.status == 400 and 'unknown feishu error "no_such_error"' in e.value.message
    assert len(meetmock.scenarios()) == before


def test_fault_switches_and_the_cleanup_remove_what_the_test_added(meetmock):
    a = meetmock.add_fault(name="mm-surface-a", match={"vendor": "huawei", "operation": "InviteParticipant"},
                           error="conf_not_started")
    b, c = meetmock.add_faults({"name": "mm-surface-b", "match": {"vendor": "dingtalk"}, "delay": 1},
                               {"name": "mm-surface-c", "match": {"vendor": "tencent"}, "delay": 1})
    assert meetmock.disable_fault(a)["enabled"] is False
    listed = {f["name"]: f for f in meetmock.faults()}
    assert listed[a]["enabled"] is False and listed[b]["enabled"] is True
    meetmock.enable_fault(a)
    meetmock.remove_fault(c)
    meetmock.cleanup()  # c is gone already: no error
    left = {f["name"] for f in meetmock.faults()}
    assert not left & {a, b, c}


def test_the_clock_freezes_and_advances_and_the_cleanup_lets_it_run(meetmock):
    frozen = meetmock.freeze()
    assert frozen["frozen"] is True
    after = meetmock.advance(90)
    assert after["now_ms"] - frozen["now_ms"] == 90_000
    assert meetmock.advance(ms=500)["now_ms"] - after["now_ms"] == 500
    with pytest.raises(ValueError):
        meetmock.advance()
    meetmock.cleanup()
    assert meetmock.clock()["frozen"] is False


def test_users_and_meetings_of_a_tenant_are_changed_by_name(meetmock):
    t = meetmock.tenant("feishu")
    t.add_users({"id": "ou_extra", "name": "Extra"})
    assert t.user_action("ou_extra", "busy")["user"]["busy"] is True
    assert t.user_action("ou_extra", "free")["user"]["busy"] is False
    t.act("live", "call", user="ou_extra")
    assert [p["status"] for p in t.meeting("live")["participants"] if p["user_id"] == "ou_extra"] == ["calling"]
    t.act("live", "accept", user="ou_extra")
    assert t.changes(type="participant_joined")[-1]["meeting"]["id"] == t.meetings["live"]
    assert [m["id"] for m in t.meeting_list(state="scheduled")] == [t.meetings["reserve"]]
    t.behave(outcome="manual")
    assert [d["behaviour"]["outcome"] for d in t.behaviours()["behaviours"]] == ["manual"]


def test_attaching_to_a_running_server_shares_it(meetmock_server):
    attached = MeetmockServer.attach(meetmock_server.url)
    assert not attached.started and attached.stop() is None
    mm = Meetmock(attached)
    t = mm.tenant("huawei")
    assert t.id in {x["id"] for x in meetmock_server.admin.tenants()}
    assert attached.admin.health()["status"] == "ok"


def test_a_private_server_with_an_admin_token_exports_and_imports_its_state():
    with MeetmockServer.start(args=["--no-demo", "--seed", "7"], admin_token="s3cret") as server:
        assert server.started and pathlib.Path(server.cert_path).is_file()
        req = urllib.request.Request(server.url + "/__admin/tenants")
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req)
        assert e.value.code == 401
        mm = Meetmock(server)
        t = mm.tenant("tencent")
        state = mm.state()
        mm.reset()  # keeps loaded scenarios: the tenant is there again
        assert t.id in {x["id"] for x in mm.tenants()}
        mm.set_strict(True, vendor="dingtalk")
        assert mm.import_state(state)["imported"] is True
        assert [r for r in mm.routes() if r["operation"] == "InviteParticipant"]
        process = server.process
    assert process.poll() is not None  # stopped by the with block


def test_an_unknown_endpoint_and_a_bad_call_raise_admin_errors(meetmock):
    with pytest.raises(AdminError) as e:
        meetmock.call("GET", "/no-such-thing")
    assert e.value.status == 404 and "no admin endpoint" in e.value.message
    with pytest.raises(AdminError) as e:
        meetmock.expire_token("not-a-token")
    assert e.value.status == 404
    with pytest.raises(ValueError):
        meetmock.tenant("zoom")


def test_a_journal_entry_reads_on_one_line():
    line = describe({"seq": 7, "method": "PATCH", "target": "/x", "operation": "meeting.invite",
                     "status": 400, "code": "122008", "tenant": "t", "fault": "f"})
    assert line == "#7 PATCH /x meeting.invite → 400 code 122008 tenant t fault f"
