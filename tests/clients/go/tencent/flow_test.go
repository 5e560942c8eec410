package tencent

// The invite flow the issue names: overwrite semantics (5 then 2, empty clears, 2000 vs 2001),
// paging, permissions, unknown / cancelled / ended meetings, a meeting created through the API
// then started, and the user directory changing later invite answers.

import (
	"fmt"
	"net/url"
	"strconv"
	"testing"
)

func setInvitees(t *testing.T, id, who string, ids ...string) (*inviteesPut, *serviceError) {
	body := inviteesBody{Instanceid: 1, Userid: who}
	for _, u := range ids {
		body.Invitees = append(body.Invitees, userRef{u})
	}
	var out inviteesPut
	return &out, do(t, "PUT", "/v1/meetings/"+id+"/invitees", nil, body, &out)
}

func listPages(t *testing.T, id string) ([]string, int) {
	var got []string
	pos, pages := int64(0), 0
	for {
		var page inviteesGet
		query := url.Values{"userid": {"userA"}, "instanceid": {"1"}, "pos": {strconv.FormatInt(pos, 10)}}
		ok(t, do(t, "GET", "/v1/meetings/"+id+"/invitees", query, nil, &page))
		pages++
		for _, i := range page.Invitees {
			got = append(got, *i.Userid)
		}
		if page.HasRemaining == nil || !*page.HasRemaining {
			return got, pages
		}
		pos = *page.NextPos
	}
}

func listAll(t *testing.T, id string) []string {
	got, _ := listPages(t, id)
	return got
}

func TestSetFiveThenTwoThenAnEmptyListClears(t *testing.T) {
	reset(t)
	out, se := setInvitees(t, scheduled, "userA", "userB", "userC", "userD", "userE", "ghost_u")
	if se != nil || fmt.Sprint(out.UserNonRegistered) != "[ghost_u]" {
		t.Fatalf("%v %v", out, se)
	}
	if got := listAll(t, scheduled); fmt.Sprint(got) != "[userB userC userD userE]" {
		t.Fatalf("got %v", got)
	}
	out, se = setInvitees(t, scheduled, "userA", "userC", "userB")
	if se != nil || len(out.UserNonRegistered) != 0 {
		t.Fatalf("%v %v", out, se)
	}
	if got := listAll(t, scheduled); fmt.Sprint(got) != "[userC userB]" {
		t.Fatalf("got %v", got)
	}
	setInvitees(t, scheduled, "userA") // omitempty: the key is not sent
	if got := listAll(t, scheduled); len(got) != 0 {
		t.Fatalf("not cleared: %v", got)
	}
}

func TestTwoThousandArePagedByTwoHundredAndTwoThousandAndOneRefused(t *testing.T) {
	reset(t)
	var ids []string
	var users []map[string]string
	for i := 0; i < 2001; i++ {
		id := fmt.Sprintf("go%05d", i)
		ids = append(ids, id)
		users = append(users, map[string]string{"id": id})
	}
	if _, err := srv.AdminOK("POST", "/tenants/tencent/"+appID+"/users", map[string]any{"users": users}); err != nil {
		t.Fatal(err)
	}
	_, se := setInvitees(t, scheduled, "userA", ids[:2000]...)
	ok(t, se)
	got, pages := listPages(t, scheduled)
	if pages != 10 || fmt.Sprint(got) != fmt.Sprint(ids[:2000]) {
		t.Fatalf("%d pages, %d ids", pages, len(got))
	}
	_, se = setInvitees(t, scheduled, "userA", ids...)
	wantErr(t, se, 400, 190004)
	if len(listAll(t, scheduled)) != 2000 {
		t.Fatal("a refused set changed the list")
	}
}

func TestPermissionsAndUnknownCancelledEndedMeetings(t *testing.T) {
	reset(t)
	_, se := setInvitees(t, scheduled, "userB", "userC")
	wantText(t, se, 403, 9042, "无权限进行该操作，建议检查操作者身份或资源归属。")
	query := url.Values{"userid": {"userB"}, "instanceid": {"1"}}
	wantErr(t, do(t, "GET", "/v1/meetings/"+scheduled+"/invitees", query, nil, nil), 403, 9042)
	_, se = setInvitees(t, "1234567890123456789", "userA", "userB")
	wantText(t, se, 400, 190457, "会议不存在，请核对 meeting_id。")
	cancel := cancelBody{Instanceid: 1, ReasonCode: 1, Userid: "userA"}
	ok(t, do(t, "POST", "/v1/meetings/"+scheduled+"/cancel", nil, cancel, &map[string]any{}))
	wantText(t, do(t, "POST", "/v1/meetings/"+scheduled+"/cancel", nil, cancel, nil), 500, 9007, "MEETING CANCLED")
	_, se = setInvitees(t, scheduled, "userA", "userB")
	wantErr(t, se, 500, 9007)
	dismiss := dismissBody{Instanceid: 1, OperatorId: "userA", OperatorIdType: 1, ReasonCode: 1}
	wantErr(t, do(t, "POST", "/v1/meetings/"+running+"/dismiss", nil, dismissBody{Instanceid: 1, OperatorId: "userD", OperatorIdType: 1, ReasonCode: 1}, nil), 500, 9042)
	ok(t, do(t, "POST", "/v1/meetings/"+running+"/dismiss", nil, dismiss, &map[string]any{}))
	_, se = setInvitees(t, running, "userA", "userB")
	wantText(t, se, 500, 13603, "会议已结束。")
	if se.ErrorInfo.NewErrorCode != 101013603 {
		t.Fatalf("%+v", se.ErrorInfo)
	}
}

func TestACreatedMeetingIsStartedDismissedAndInHistory(t *testing.T) {
	reset(t)
	now := serverNow(t)
	var created meetings
	ok(t, do(t, "POST", "/v1/meetings", nil, createBody{
		Userid: "userA", Instanceid: 1, Subject: "Go 会议", Type: 0,
		StartTime: strconv.FormatInt(now+600, 10), EndTime: strconv.FormatInt(now+4200, 10),
		Invitees: []userRef{{"userB"}, {"ghost_u"}},
		Settings: &createSettings{MuteEnableJoin: ptr(true)},
	}, &created))
	info := created.MeetingInfoList[0]
	if len(*info.MeetingCode) != 9 || fmt.Sprint(info.UserNonRegistered) != "[ghost_u]" {
		t.Fatalf("%+v", info)
	}
	id := *info.MeetingId
	// A quick meeting: the SDK sends empty start and end times.
	ok(t, do(t, "POST", "/v1/meetings", nil, createBody{Userid: "userA", Instanceid: 1, Subject: "quick", Type: 1}, &meetings{}))
	join(t, id, "userB")
	var rt realTime
	query := url.Values{"operator_id": {"userA"}, "operator_id_type": {"1"}, "page": {"1"}, "page_size": {"20"}}
	ok(t, do(t, "GET", "/v1/meetings/"+id+"/real-time-participants", query, nil, &rt))
	if *rt.TotalCount != 1 || *rt.Status != "MEETING_STATE_STARTED" || *rt.Participants[0].Userid != "userB" {
		t.Fatalf("%+v", rt)
	}
	cancel := cancelBody{Instanceid: 1, ReasonCode: 1, Userid: "userA"}
	wantText(t, do(t, "POST", "/v1/meetings/"+id+"/cancel", nil, cancel, nil), 500, 13602, "已开始的会议不能取消。")
	dismiss := dismissBody{Instanceid: 1, OperatorId: "userA", OperatorIdType: 1, ReasonCode: 1}
	ok(t, do(t, "POST", "/v1/meetings/"+id+"/dismiss", nil, dismiss, &map[string]any{}))
	var h history
	ok(t, do(t, "GET", "/v1/history/meetings/userA", url.Values{"page": {"1"}, "page_size": {"20"}}, nil, &h))
	if *h.TotalCount != 1 || *h.MeetingInfoList[0].MeetingId != id {
		t.Fatalf("%+v", h)
	}
}

func TestAnUnjoinedMeetingLeavesInitAtItsScheduledEnd(t *testing.T) {
	reset(t)
	now := serverNow(t)
	var created meetings
	ok(t, do(t, "POST", "/v1/meetings", nil, createBody{Userid: "userA", Instanceid: 1, Subject: "expiring",
		Type: 0, StartTime: strconv.FormatInt(now+60, 10), EndTime: strconv.FormatInt(now+3600, 10)}, &created))
	if err := srv.Advance(3 * 3600); err != nil {
		t.Fatal(err)
	}
	var m meetings
	query := url.Values{"operator_id": {"userA"}, "operator_id_type": {"1"}, "instanceid": {"1"}}
	ok(t, do(t, "GET", "/v1/meetings/"+*created.MeetingInfoList[0].MeetingId, query, nil, &m))
	if *m.MeetingInfoList[0].Status != "MEETING_STATE_NULL" {
		t.Fatalf("%+v", m.MeetingInfoList[0])
	}
}

func TestTheUserDirectoryChangesInviteAnswers(t *testing.T) {
	reset(t)
	out, _ := setInvitees(t, scheduled, "userA", "gouser")
	if len(out.UserNonRegistered) != 1 {
		t.Fatalf("%+v", out)
	}
	ok(t, do(t, "POST", "/v1/users", nil, userPost{OperatorId: "userA", OperatorIdType: 1, Userid: "gouser",
		Username: "Go User", Phone: "13600000001", EntryTime: ptr(int64(1700000000)), UserAccountType: ptr(int64(1))}, &map[string]any{}))
	var u userDetail
	ok(t, do(t, "GET", "/v1/users/gouser", op("userA"), nil, &u))
	if *u.Status != "1" || *u.EntryTime != "1700000000" || *u.UserAccountType != 1 || len(*u.Uuid) != 32 {
		t.Fatalf("%+v", u)
	}
	var l userList
	query := op("userA")
	query.Set("page", "1")
	query.Set("page_size", "20")
	ok(t, do(t, "GET", "/v1/users/list", query, nil, &l))
	if *l.TotalCount != 7 {
		t.Fatalf("%+v", l)
	}
	out, _ = setInvitees(t, scheduled, "userA", "gouser")
	if len(out.UserNonRegistered) != 0 {
		t.Fatalf("still reported: %+v", out)
	}
	se := do(t, "POST", "/v1/users", nil, userPost{OperatorId: "userA", OperatorIdType: 1, Userid: "gouser", Username: "Again", Phone: "13600000002"}, nil)
	wantText(t, se, 400, 20002, "用户已存在。")
	wantText(t, do(t, "GET", "/v1/users/nobody", op("userA"), nil, nil), 400, 20001, "用户不存在。")
}
