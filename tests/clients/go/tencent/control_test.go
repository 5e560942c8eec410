package tencent

// Around the invite flow in the Go SDK's shapes: guests (a nil slice goes out as null), the
// waiting room (targets by ms_open_id or uuid), mutes, names, and the uuid forms of the user
// directory.

import (
	"encoding/base64"
	"net/url"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func guests(t *testing.T, id string) guestsGet {
	var g guestsGet
	ok(t, do(t, "GET", "/v1/guests/"+id, url.Values{"userid": {"userA"}, "instanceid": {"1"}}, nil, &g))
	return g
}

func TestGuestsAreSetAndANilListClearsThem(t *testing.T) {
	reset(t)
	body := guestsBody{Instanceid: 1, Userid: "userA", Guests: []guestIn{{Area: "86", PhoneNumber: "13800000001", GuestName: ptr("嘉宾")}}}
	ok(t, do(t, "PUT", "/v1/guests/"+scheduled, nil, body, &map[string]any{}))
	g := guests(t, scheduled)
	if len(g.Guests) != 1 || *g.Guests[0].GuestName != "嘉宾" || *g.MeetingId != scheduled {
		t.Fatalf("%+v", g)
	}
	ok(t, do(t, "PUT", "/v1/guests/"+scheduled, nil, guestsBody{Instanceid: 1, Userid: "userA"}, &map[string]any{}))
	if g := guests(t, scheduled); len(g.Guests) != 0 {
		t.Fatalf("null did not clear: %+v", g)
	}
	body.Userid = "userB"
	wantText(t, do(t, "PUT", "/v1/guests/"+scheduled, nil, body, nil), 500, 9042, "权限受限或鉴权失败。")
}

func live(t *testing.T, id string) map[string]liveParticipant {
	var rt realTime
	query := url.Values{"operator_id": {"userA"}, "operator_id_type": {"1"}, "page": {"1"}, "page_size": {"20"}}
	ok(t, do(t, "GET", "/v1/meetings/"+id+"/real-time-participants", query, nil, &rt))
	out := map[string]liveParticipant{}
	for _, p := range rt.Participants {
		out[*p.Userid] = p
	}
	return out
}

func room(t *testing.T, kind int64, tg target, allowRejoin *bool) *serviceError {
	body := waitingRoomBody{AllowRejoin: allowRejoin, Instanceid: 1, OperateType: kind,
		OperatorId: ptr("userA"), OperatorIdType: ptr(int64(1)), Users: []target{tg}}
	return do(t, "PUT", "/v1/real-control/meetings/"+running+"/waiting-room", nil, body, &map[string]any{})
}

func TestTheWaitingRoomHoldsAJoinerUntilAdmitted(t *testing.T) {
	reset(t)
	ok(t, do(t, "PUT", "/v1/real-control/meetings/"+running+"/status", nil,
		statusBody{AutoWaitingRoom: ptr(true), Instanceid: 1, OperatorId: ptr("userA"), OperatorIdType: ptr(int64(1))}, &map[string]any{}))
	join(t, running, "userE")
	var w waitingNow
	q := url.Values{"userid": {"userA"}, "page": {"1"}, "page_size": {"10"}}
	ok(t, do(t, "GET", "/v1/meetings/"+running+"/waiting-room-participants", q, nil, &w))
	if *w.TotalCount != 1 || *w.Participants[0].UserName != b64("Erin") || len(*w.Participants[0].Uuid) != 32 {
		t.Fatalf("%+v", w)
	}
	if _, in := live(t, running)["userE"]; in {
		t.Fatal("a held joiner is in the meeting")
	}
	// The Go SDK may name the target by uuid alone.
	ok(t, room(t, 1, target{Instanceid: 1, Uuid: w.Participants[0].Uuid}, nil))
	if p, in := live(t, running)["userE"]; !in || *p.MsOpenId != *w.Participants[0].MsOpenId {
		t.Fatalf("not admitted with its ms_open_id: %+v", p)
	}
	ms := w.Participants[0].MsOpenId
	ok(t, room(t, 2, target{Instanceid: 1, ToOperatorId: ms, ToOperatorIdType: ptr(int64(4))}, nil))
	wantErr(t, room(t, 1, target{Instanceid: 1, ToOperatorId: ms, ToOperatorIdType: ptr(int64(4))}, ptr(true)), 400, 190004)
	ok(t, room(t, 3, target{Instanceid: 1, ToOperatorId: ms, ToOperatorIdType: ptr(int64(4))}, ptr(false)))
	if status, _, _ := srv.Admin("POST", "/meetings/"+running+"/join", map[string]any{"vendor": "tencent", "user": "userE"}); status != 409 {
		t.Fatalf("a removed user came back: %d", status)
	}
	var rec waitingRecords
	q = url.Values{"operator_id": {"userA"}, "operator_id_type": {"1"}, "page": {"1"}, "page_size": {"20"}}
	ok(t, do(t, "GET", "/v1/meeting/"+running+"/waiting-room", q, nil, &rec))
	if *rec.TotalCount != 2 || *rec.Participants[0].Instanceid != "1" || *rec.Participants[1].LeftTime < *rec.Participants[1].JoinTime {
		t.Fatalf("%+v", rec)
	}
	wantText(t, room(t, 2, target{Instanceid: 1, ToOperatorId: ms, ToOperatorIdType: ptr(int64(4))}, nil), 500, 202007, "成员不在会中。")
}

func TestMuteAndRenameShowInRealTimeParticipants(t *testing.T) {
	reset(t)
	mute := mutesBody{Instanceid: 1, Mute: true, OperatorId: ptr("userA"), OperatorIdType: ptr(int64(1)),
		User: target{Instanceid: 1, ToOperatorId: ptr("userB"), ToOperatorIdType: ptr(int64(4))}}
	ok(t, do(t, "PUT", "/v1/real-control/meetings/"+running+"/mutes", nil, mute, &map[string]any{}))
	names := namesBody{Instanceid: 1, OperatorId: "userA", OperatorIdType: 1,
		Users: []renameIn{{Instanceid: 1, MsOpenId: "userB", NickName: ptr("鲍勃")}}}
	ok(t, do(t, "PUT", "/v1/real-control/meetings/"+running+"/names", nil, names, &map[string]any{}))
	bob := live(t, running)["userB"]
	if *bob.AudioState || *bob.UserName != b64("鲍勃") {
		t.Fatalf("%+v", bob)
	}
	mute.OperatorId = ptr("userD")
	wantErr(t, do(t, "PUT", "/v1/real-control/meetings/"+running+"/mutes", nil, mute, nil), 403, 9042)
}

func TestAUserIsReadChangedAndDeletedByUuid(t *testing.T) {
	reset(t)
	var u userDetail
	ok(t, do(t, "GET", "/v1/users/userD", op("userA"), nil, &u))
	q := op("userA")
	q.Set("uuid", *u.Uuid)
	var got userDetail
	ok(t, do(t, "GET", "/v1/users", q, nil, &got))
	if *got.Userid != "userD" {
		t.Fatalf("%+v", got)
	}
	ok(t, do(t, "PUT", "/v1/users", url.Values{"uuid": {*u.Uuid}}, userPut{OperatorId: "userA", OperatorIdType: 1, Username: ptr("Dave Two")}, &map[string]any{}))
	ok(t, do(t, "GET", "/v1/users", q, nil, &got))
	if *got.Username != "Dave Two" {
		t.Fatalf("%+v", got)
	}
	ok(t, do(t, "DELETE", "/v1/users", q, nil, &map[string]any{}))
	wantText(t, do(t, "GET", "/v1/users", q, nil, nil), 400, 20001, "用户不存在。")
}
