package feishu

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"testing"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkcontact "github.com/larksuite/oapi-sdk-go/v3/service/contact/v3"
	larkvc "github.com/larksuite/oapi-sdk-go/v3/service/vc/v1"
)

var logID = regexp.MustCompile(`^\d{14}[0-9A-F]{20}$`)

func inviteReq(meeting string, ids ...string) *larkvc.InviteMeetingReq {
	var users []*larkvc.MeetingUser
	for _, id := range ids {
		users = append(users, larkvc.NewMeetingUserBuilder().Id(id).UserType(1).Build())
	}
	return larkvc.NewInviteMeetingReqBuilder().MeetingId(meeting).UserIdType("open_id").
		Body(larkvc.NewInviteMeetingReqBodyBuilder().Invitees(users).Build()).Build()
}

func guests(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf("ou_guest_%04d", i))
	}
	return out
}

func TestReserveApplyGetUpdateStartAndDelete(t *testing.T) {
	reset(t)
	c := client()
	end := strconv.FormatInt(now(t)+3600, 10)
	applied, err := c.Vc.Reserve.Apply(ctx, larkvc.NewApplyReserveReqBuilder().UserIdType("open_id").
		Body(larkvc.NewApplyReserveReqBodyBuilder().EndTime(end).OwnerId(host).
			MeetingSettings(larkvc.NewReserveMeetingSettingBuilder().Topic("go sdk").MeetingInitialType(1).Build()).
			Build()).Build())
	if err != nil || !applied.Success() {
		t.Fatalf("apply: %v %s", err, applied.RawBody)
	}
	if !logID.MatchString(applied.RequestId()) {
		t.Fatalf("log id %q", applied.RequestId())
	}
	rid := *applied.Data.Reserve.Id
	got, _ := c.Vc.Reserve.Get(ctx, larkvc.NewGetReserveReqBuilder().ReserveId(rid).Build())
	if *got.Data.Reserve.MeetingSettings.Topic != "go sdk" {
		t.Fatalf("get: %s", got.RawBody)
	}
	up, _ := c.Vc.Reserve.Update(ctx, larkvc.NewUpdateReserveReqBuilder().ReserveId(rid).
		Body(larkvc.NewUpdateReserveReqBodyBuilder().
			MeetingSettings(larkvc.NewReserveMeetingSettingBuilder().Topic("renamed").Build()).Build()).Build())
	if !up.Success() {
		t.Fatalf("update: %s", up.RawBody)
	}
	active, err := c.Vc.Reserve.GetActiveMeeting(ctx, larkvc.NewGetActiveMeetingReserveReqBuilder().ReserveId(rid).Build())
	expectCode(t, active, err, 404, 121004, "data not exist")

	mid := meetingAction(t, rid, "start", nil)["meeting"].(map[string]any)["id"].(string)
	if mid == rid {
		t.Fatal("the meeting id must come into being at the start")
	}
	active, _ = c.Vc.Reserve.GetActiveMeeting(ctx, larkvc.NewGetActiveMeetingReserveReqBuilder().ReserveId(rid).WithParticipants(true).Build())
	if *active.Data.Meeting.Id != mid || *active.Data.Meeting.Topic != "renamed" {
		t.Fatalf("active: %s", active.RawBody)
	}
	m, _ := c.Vc.Meeting.Get(ctx, larkvc.NewGetMeetingReqBuilder().MeetingId(mid).WithParticipants(true).Build())
	if *m.Data.Meeting.Status != 2 || len(m.Data.Meeting.Participants) != 1 || *m.Data.Meeting.Participants[0].Id != host {
		t.Fatalf("meeting get: %s", m.RawBody)
	}
	wrong, err := c.Vc.Meeting.Get(ctx, larkvc.NewGetMeetingReqBuilder().MeetingId(rid).Build())
	expectCode(t, wrong, err, 404, 121004, "data not exist")
	del, _ := c.Vc.Reserve.Delete(ctx, larkvc.NewDeleteReserveReqBuilder().ReserveId(rid).Build())
	if !del.Success() {
		t.Fatalf("delete: %s", del.RawBody)
	}
	gone, err := c.Vc.Reserve.Get(ctx, larkvc.NewGetReserveReqBuilder().ReserveId(rid).Build())
	expectCode(t, gone, err, 404, 121004, "data not exist")
}

func TestInviteThreeThenElevenAndEveryRefusal(t *testing.T) {
	reset(t)
	// The demo's invitees answer within seconds: a still clock keeps the calls as placed.
	admin(t, "POST", "/clock/freeze", map[string]any{})
	c := client()
	u := larkcore.WithUserAccessToken(userToken(t, c, host))
	r, err := c.Vc.Meeting.Invite(ctx, inviteReq(live, guests(3)...), u)
	if err != nil || len(r.Data.InviteResults) != 3 || *r.Data.InviteResults[2].Status != 1 {
		t.Fatalf("invite 3: %v %s", err, r.RawBody)
	}
	m, _ := c.Vc.Meeting.Get(ctx, larkvc.NewGetMeetingReqBuilder().MeetingId(live).WithParticipants(true).Build())
	calling := 0
	for _, p := range m.Data.Meeting.Participants {
		if *p.Status == 1 {
			calling++
		}
	}
	if calling != 3 {
		t.Fatalf("meeting get: %s", m.RawBody)
	}
	r, err = c.Vc.Meeting.Invite(ctx, inviteReq(live, guests(11)...), u)
	expectCode(t, r, err, 400, 121003, "param error")

	meetingAction(t, live, "lock", nil)
	r, err = c.Vc.Meeting.Invite(ctx, inviteReq(live, "ou_guest_0005"), u)
	expectCode(t, r, err, 400, 122008, "meeting is locked")
	meetingAction(t, live, "unlock", nil)
	meetingAction(t, live, "capacity", map[string]any{"capacity": 4})
	r, err = c.Vc.Meeting.Invite(ctx, inviteReq(live, "ou_guest_0005"), u)
	expectCode(t, r, err, 400, 122006, "participant count reach limit")
	meetingAction(t, live, "capacity", map[string]any{"capacity": 300})
	admin(t, "POST", "/users/ou_guest_0006/busy", map[string]any{"vendor": "feishu"})
	r, err = c.Vc.Meeting.Invite(ctx, inviteReq(live, "ou_guest_0006"), u)
	expectCode(t, r, err, 400, 122007, "callee is busy")
	out := larkcore.WithUserAccessToken(userToken(t, c, "ou_guest_0009"))
	r, err = c.Vc.Meeting.Invite(ctx, inviteReq(live, "ou_guest_0007"), out)
	expectCode(t, r, err, 400, 122003, "operator user not in meeting")
	admin(t, "POST", "/vendors/feishu/calling", map[string]any{"app_id": app, "meeting": live})
	r, err = c.Vc.Meeting.Invite(ctx, inviteReq(live, "ou_guest_0007"), u)
	expectCode(t, r, err, 400, 122001, "meeting status unexpected")
	// (A tenant token on invite is refused by the SDK itself, before any request.)
	_, err = c.Vc.Meeting.Invite(ctx, inviteReq(live, "ou_guest_0007"), larkcore.WithTenantAccessToken(field(t, tenantRaw(t), "tenant_access_token")))
	if err == nil {
		t.Fatal("the Go SDK should refuse a tenant token on a user-only API")
	}
}

func TestKickoutSetHostAndEnd(t *testing.T) {
	reset(t)
	c := client()
	meetingAction(t, live, "join", map[string]any{"user": "ou_guest_0001"})
	meetingAction(t, live, "join", map[string]any{"user": "ou_guest_0002"})
	k, err := c.Vc.Meeting.Kickout(ctx, larkvc.NewKickoutMeetingReqBuilder().MeetingId(live).
		Body(larkvc.NewKickoutMeetingReqBodyBuilder().KickoutUsers([]*larkvc.MeetingUser{
			larkvc.NewMeetingUserBuilder().Id("ou_guest_0002").UserType(1).Build(),
		}).Build()).Build())
	if err != nil || *k.Data.KickoutResults[0].Result != 1 {
		t.Fatalf("kickout: %v %s", err, k.RawBody)
	}
	u := larkcore.WithUserAccessToken(userToken(t, c, host))
	h, _ := c.Vc.Meeting.SetHost(ctx, larkvc.NewSetHostMeetingReqBuilder().MeetingId(live).
		Body(larkvc.NewSetHostMeetingReqBodyBuilder().
			HostUser(larkvc.NewMeetingUserBuilder().Id("ou_guest_0001").UserType(1).Build()).
			OldHostUser(larkvc.NewMeetingUserBuilder().Id(host).UserType(1).Build()).Build()).Build(), u)
	if !h.Success() || *h.Data.HostUser.Id != "ou_guest_0001" {
		t.Fatalf("set_host: %s", h.RawBody)
	}
	cas, err := c.Vc.Meeting.SetHost(ctx, larkvc.NewSetHostMeetingReqBuilder().MeetingId(live).
		Body(larkvc.NewSetHostMeetingReqBodyBuilder().
			HostUser(larkvc.NewMeetingUserBuilder().Id(host).UserType(1).Build()).
			OldHostUser(larkvc.NewMeetingUserBuilder().Id(host).UserType(1).Build()).Build()).Build())
	expectCode(t, cas, err, 409, 121006, "data conflict")
	e, err := c.Vc.Meeting.End(ctx, larkvc.NewEndMeetingReqBuilder().MeetingId(live).Build(), u)
	expectCode(t, e, err, 403, 121005, "no permission")
	nh := larkcore.WithUserAccessToken(userToken(t, c, "ou_guest_0001"))
	e, _ = c.Vc.Meeting.End(ctx, larkvc.NewEndMeetingReqBuilder().MeetingId(live).Build(), nh)
	if !e.Success() {
		t.Fatalf("end: %s", e.RawBody)
	}
	e, err = c.Vc.Meeting.End(ctx, larkvc.NewEndMeetingReqBuilder().MeetingId(live).Build(), nh)
	expectCode(t, e, err, 400, 122001, "meeting status unexpected")
}

func TestReportsPageThroughEndedMeetings(t *testing.T) {
	reset(t)
	n := now(t)
	var meetings []map[string]any
	for i := 0; i < 23; i++ {
		s := n - 7200 + int64(i)*60
		meetings = append(meetings, map[string]any{
			"id": fmt.Sprintf("76500000000000000%02d", i), "code": strconv.Itoa(650000000 + i), "host": "ou_rep",
			"state": "ended", "start_time": s, "end_time": n - 3600,
			"participants": []map[string]any{{"user_id": "ou_rep", "status": "left", "joined_at": s, "left_at": n - 3600}},
		})
	}
	admin(t, "POST", "/scenarios", map[string]any{"name": "go-reports", "tenants": []map[string]any{{
		"vendor": "feishu", "id": "cli_go_rep", "secret": "rep_secret",
		"users": []map[string]any{{"id": "ou_rep", "name": "Rep"}}, "meetings": meetings,
	}}})
	c := clientOf("cli_go_rep", "rep_secret")
	req := larkvc.NewGetMeetingListReqBuilder().StartTime(strconv.FormatInt(n-86400, 10)).
		EndTime(strconv.FormatInt(n, 10)).PageSize(20)
	first, _ := c.Vc.MeetingList.Get(ctx, req.Build())
	if !*first.Data.HasMore || *first.Data.PageToken != "20" || len(first.Data.MeetingList) != 20 {
		t.Fatalf("first page: %s", first.RawBody)
	}
	it, err := c.Vc.MeetingList.GetByIterator(ctx, req.Build())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for {
		ok, m, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		ids = append(ids, *m.MeetingId)
	}
	if len(ids) != 23 || !sort.SliceIsSorted(ids, func(i, j int) bool { return ids[i] > ids[j] }) {
		t.Fatalf("iterator: %v", ids)
	}
	p, _ := c.Vc.ParticipantList.Get(ctx, larkvc.NewGetParticipantListReqBuilder().
		MeetingStartTime(strconv.FormatInt(n-7200, 10)).MeetingEndTime(strconv.FormatInt(n, 10)).
		MeetingNo("650000000").MeetingStatus(2).PageSize(20).Build())
	if !p.Success() || len(p.Data.Participants) != 1 {
		t.Fatalf("participants: %s", p.RawBody)
	}
	bad, err := c.Vc.MeetingList.Get(ctx, larkvc.NewGetMeetingListReqBuilder().StartTime("0").EndTime(strconv.FormatInt(n, 10)).Build())
	expectCode(t, bad, err, 400, 126006, "")
}

func TestRecordingAndContactLookups(t *testing.T) {
	reset(t)
	c := client()
	u := larkcore.WithUserAccessToken(userToken(t, c, host))
	st, _ := c.Vc.MeetingRecording.Start(ctx, larkvc.NewStartMeetingRecordingReqBuilder().MeetingId(live).
		Body(larkvc.NewStartMeetingRecordingReqBodyBuilder().Timezone(8).Build()).Build(), u)
	if !st.Success() {
		t.Fatalf("start: %s", st.RawBody)
	}
	if err := srv.Advance(20); err != nil {
		t.Fatal(err)
	}
	sp, _ := c.Vc.MeetingRecording.Stop(ctx, larkvc.NewStopMeetingRecordingReqBuilder().MeetingId(live).Build(), u)
	if !sp.Success() {
		t.Fatalf("stop: %s", sp.RawBody)
	}
	c.Vc.Meeting.End(ctx, larkvc.NewEndMeetingReqBuilder().MeetingId(live).Build(), u)
	g, err := c.Vc.MeetingRecording.Get(ctx, larkvc.NewGetMeetingRecordingReqBuilder().MeetingId(live).Build())
	expectCode(t, g, err, 400, 124002, "record processing")
	if err := srv.Advance(61); err != nil {
		t.Fatal(err)
	}
	g, _ = client().Vc.MeetingRecording.Get(ctx, larkvc.NewGetMeetingRecordingReqBuilder().MeetingId(live).Build())
	if !g.Success() || *g.Data.Recording.Duration != "20000" {
		t.Fatalf("recording: %s", g.RawBody)
	}

	c = client()
	ids, _ := c.Contact.User.BatchGetId(ctx, larkcontact.NewBatchGetIdUserReqBuilder().UserIdType("union_id").
		Body(larkcontact.NewBatchGetIdUserReqBodyBuilder().Emails([]string{"host@example.com"}).Build()).Build())
	if !ids.Success() || *ids.Data.UserList[0].UserId != "on_host_0001" {
		t.Fatalf("batch_get_id: %s", ids.RawBody)
	}
	usr, _ := c.Contact.User.Get(ctx, larkcontact.NewGetUserReqBuilder().UserId("host0001").UserIdType("user_id").Build())
	if !usr.Success() || *usr.Data.User.OpenId != host {
		t.Fatalf("user get: %s", usr.RawBody)
	}
}
