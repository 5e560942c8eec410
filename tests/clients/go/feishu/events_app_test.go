package feishu

// What an app built on the Go SDK does with meetmock's Feishu events, shared by the webhook
// (events_test.go) and long-connection (longconn_test.go) tests: one EventDispatcher with a
// handler for every VC meeting event, recording the typed events it is handed, and the meeting
// those events come from, driven through the SDK's own VC API and the living invite.

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	larkauthen "github.com/larksuite/oapi-sdk-go/v3/service/authen/v1"
	larkvc "github.com/larksuite/oapi-sdk-go/v3/service/vc/v1"
)

// got is what an app handler saw of one event: the SDK's type and its parsed fields.
type got struct {
	kind        string // the SDK's Go type, "*larkvc.P2MeetingJoinMeetingV1"
	header      larkevent.EventHeader
	meeting     *larkvc.MeetingEventMeeting
	operator    *larkvc.MeetingEventUser
	leaveUser   *larkvc.MeetingEventUser
	leaveReason int
	subscribers []string // participant_meeting_ended_v1 only
}

func (g got) meetingID() string { return deref(g.meeting.Id) }

func (g got) operatorID() string { return openID(g.operator) }

func openID(u *larkvc.MeetingEventUser) string {
	if u == nil || u.Id == nil {
		return ""
	}
	return deref(u.Id.OpenId)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// receiver records what its dispatcher's handlers are handed.
type receiver struct {
	mu   sync.Mutex
	seen []got
}

func (a *receiver) record(e any, base *larkevent.EventV2Base, g got) error {
	g.kind = fmt.Sprintf("%T", e)
	if base != nil && base.Header != nil {
		g.header = *base.Header
	}
	a.mu.Lock()
	a.seen = append(a.seen, g)
	a.mu.Unlock()
	return nil
}

func (a *receiver) events() []got {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]got(nil), a.seen...)
}

// wait until the app has n events (a deadline, not a sleep standing in for the clock).
func (a *receiver) wait(t *testing.T, n int) []got {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for len(a.events()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("want %d events, the app has %v", n, kinds(a.events()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return a.events()
}

func kinds(gs []got) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.kind+" "+g.header.EventType)
	}
	return out
}

// dispatcherFor builds the SDK's EventDispatcher with a handler for every VC meeting event.
// vc.meeting.participant_meeting_ended_v1 has no typed model in oapi-sdk-go v3.7.1: it is
// taken with OnCustomizedEvent, which hands over the raw request — over an encrypted webhook
// that is the ciphertext, so the handler decrypts it with the app's Encrypt Key itself.
func (a *receiver) dispatcherFor(token, encryptKey string) *dispatcher.EventDispatcher {
	return dispatcher.NewEventDispatcher(token, encryptKey).
		OnP2MeetingStartedV1(func(_ context.Context, e *larkvc.P2MeetingStartedV1) error {
			return a.record(e, e.EventV2Base, got{meeting: e.Event.Meeting, operator: e.Event.Operator})
		}).
		OnP2MeetingAllMeetingStartedV1(func(_ context.Context, e *larkvc.P2MeetingAllMeetingStartedV1) error {
			return a.record(e, e.EventV2Base, got{meeting: e.Event.Meeting, operator: e.Event.Operator})
		}).
		OnP2MeetingJoinMeetingV1(func(_ context.Context, e *larkvc.P2MeetingJoinMeetingV1) error {
			return a.record(e, e.EventV2Base, got{meeting: e.Event.Meeting, operator: e.Event.Operator})
		}).
		OnP2MeetingLeaveMeetingV1(func(_ context.Context, e *larkvc.P2MeetingLeaveMeetingV1) error {
			return a.record(e, e.EventV2Base, got{meeting: e.Event.Meeting, operator: e.Event.Operator,
				leaveUser: e.Event.LeaveUser, leaveReason: deref(e.Event.LeaveReason)})
		}).
		OnP2MeetingEndedV1(func(_ context.Context, e *larkvc.P2MeetingEndedV1) error {
			return a.record(e, e.EventV2Base, got{meeting: e.Event.Meeting, operator: e.Event.Operator})
		}).
		OnP2MeetingAllMeetingEndedV1(func(_ context.Context, e *larkvc.P2MeetingAllMeetingEndedV1) error {
			return a.record(e, e.EventV2Base, got{meeting: e.Event.Meeting, operator: e.Event.Operator})
		}).
		OnP2MeetingRecordingStartedV1(func(_ context.Context, e *larkvc.P2MeetingRecordingStartedV1) error {
			return a.record(e, e.EventV2Base, got{meeting: e.Event.Meeting, operator: e.Event.Operator})
		}).
		OnP2MeetingRecordingEndedV1(func(_ context.Context, e *larkvc.P2MeetingRecordingEndedV1) error {
			return a.record(e, e.EventV2Base, got{meeting: e.Event.Meeting, operator: e.Event.Operator})
		}).
		OnP2MeetingRecordingReadyV1(func(_ context.Context, e *larkvc.P2MeetingRecordingReadyV1) error {
			return a.record(e, e.EventV2Base, got{meeting: e.Event.Meeting})
		}).
		OnP2MeetingShareStartedV1(func(_ context.Context, e *larkvc.P2MeetingShareStartedV1) error {
			return a.record(e, e.EventV2Base, got{meeting: e.Event.Meeting, operator: e.Event.Operator})
		}).
		OnP2MeetingShareEndedV1(func(_ context.Context, e *larkvc.P2MeetingShareEndedV1) error {
			return a.record(e, e.EventV2Base, got{meeting: e.Event.Meeting, operator: e.Event.Operator})
		}).
		OnCustomizedEvent("vc.meeting.participant_meeting_ended_v1", func(_ context.Context, r *larkevent.EventReq) error {
			return a.recordParticipantEnded(r, encryptKey)
		})
}

// participantEnded is vc.meeting.participant_meeting_ended_v1 as the doc describes it.
type participantEnded struct {
	larkevent.EventV2Base
	Event struct {
		Meeting       *larkvc.MeetingEventMeeting `json:"meeting"`
		Operator      *larkvc.MeetingEventUser    `json:"operator"`
		SubscriberIds []*larkvc.UserId            `json:"subscriber_ids"`
	} `json:"event"`
}

func (a *receiver) recordParticipantEnded(r *larkevent.EventReq, encryptKey string) error {
	body := r.Body
	var enc larkevent.EventEncryptMsg
	if encryptKey != "" && json.Unmarshal(body, &enc) == nil && enc.Encrypt != "" {
		plain, err := larkevent.EventDecrypt(enc.Encrypt, encryptKey)
		if err != nil {
			return err
		}
		body = plain
	}
	var e participantEnded
	if err := json.Unmarshal(body, &e); err != nil {
		return err
	}
	g := got{meeting: e.Event.Meeting, operator: e.Event.Operator}
	for _, id := range e.Event.SubscriberIds {
		g.subscribers = append(g.subscribers, deref(id.OpenId))
	}
	sort.Strings(g.subscribers)
	return a.record(&e, &e.EventV2Base, g)
}

// tenant is the app a meeting runs in: its credentials, host and two guests who accept calls.
type tenant struct {
	app, secret, host string
	guests            [2]string
}

var demo = tenant{app: app, secret: secret, host: host, guests: [2]string{"ou_guest_0001", "ou_guest_0002"}}

// runMeeting: reserve (SDK) → start (admin: the reserve opens a meeting) → invite both guests
// (SDK) → they ring and accept as the server clock advances (the living invite) → the first
// leaves (admin) → the second is kicked out (SDK) → the host ends it (SDK). Returns its id.
func runMeeting(t *testing.T, tn tenant) string {
	t.Helper()
	admin(t, "POST", "/clock/freeze", map[string]any{})
	c := clientOf(tn.app, tn.secret)
	end := strconv.FormatInt(now(t)+3600, 10)
	applied, err := c.Vc.Reserve.Apply(ctx, larkvc.NewApplyReserveReqBuilder().UserIdType("open_id").
		Body(larkvc.NewApplyReserveReqBodyBuilder().EndTime(end).OwnerId(tn.host).
			MeetingSettings(larkvc.NewReserveMeetingSettingBuilder().Topic("events through the Go SDK").Build()).
			Build()).Build())
	if err != nil || !applied.Success() {
		t.Fatalf("apply: %v %+v", err, applied)
	}
	started := admin(t, "POST", "/meetings/"+*applied.Data.Reserve.Id+"/start", map[string]any{"vendor": "feishu", "tenant": tn.app})
	mid := started["meeting"].(map[string]any)["id"].(string)
	u := larkcore.WithUserAccessToken(userTokenOf(t, c, tn.app, tn.host))
	if r, err := c.Vc.Meeting.Invite(ctx, inviteReq(mid, tn.guests[:]...), u); err != nil || !r.Success() {
		t.Fatalf("invite: %v %+v", err, r)
	}
	if err := srv.Advance(30); err != nil { // they ring, then accept
		t.Fatal(err)
	}
	admin(t, "POST", "/meetings/"+mid+"/leave", map[string]any{"vendor": "feishu", "tenant": tn.app, "user": tn.guests[0]})
	kick, err := c.Vc.Meeting.Kickout(ctx, larkvc.NewKickoutMeetingReqBuilder().MeetingId(mid).UserIdType("open_id").
		Body(larkvc.NewKickoutMeetingReqBodyBuilder().KickoutUsers([]*larkvc.MeetingUser{
			larkvc.NewMeetingUserBuilder().Id(tn.guests[1]).UserType(1).Build()}).Build()).Build())
	if err != nil || !kick.Success() {
		t.Fatalf("kickout: %v %+v", err, kick)
	}
	ended, err := c.Vc.Meeting.End(ctx, larkvc.NewEndMeetingReqBuilder().MeetingId(mid).Build(), u)
	if err != nil || !ended.Success() {
		t.Fatalf("end: %v %+v", err, ended)
	}
	return mid
}

// userTokenOf is userToken for any app of the server.
func userTokenOf(t *testing.T, c *lark.Client, appID, user string) string {
	t.Helper()
	code := admin(t, "POST", "/vendors/feishu/login_code", map[string]any{"app_id": appID, "user": user})["code"].(string)
	req := larkauthen.NewCreateOidcAccessTokenReqBuilder().Body(
		larkauthen.NewCreateOidcAccessTokenReqBodyBuilder().GrantType("authorization_code").Code(code).Build()).Build()
	r, err := c.Authen.OidcAccessToken.Create(ctx, req)
	if err != nil || !r.Success() {
		t.Fatalf("oidc: %v %+v", err, r)
	}
	return *r.Data.AccessToken
}

// expected is the meeting's events in delivery order, by the SDK type they arrive as.
var expected = []string{
	"*larkvc.P2MeetingStartedV1 vc.meeting.meeting_started_v1",
	"*larkvc.P2MeetingAllMeetingStartedV1 vc.meeting.all_meeting_started_v1",
	"*larkvc.P2MeetingJoinMeetingV1 vc.meeting.join_meeting_v1", // the host
	"*larkvc.P2MeetingJoinMeetingV1 vc.meeting.join_meeting_v1", // the guests, as they answer
	"*larkvc.P2MeetingJoinMeetingV1 vc.meeting.join_meeting_v1",
	"*larkvc.P2MeetingLeaveMeetingV1 vc.meeting.leave_meeting_v1", // guest 0 left: 1
	"*larkvc.P2MeetingLeaveMeetingV1 vc.meeting.leave_meeting_v1", // guest 1 kicked out: 3
	"*larkvc.P2MeetingLeaveMeetingV1 vc.meeting.leave_meeting_v1", // the host at the end: 2
	"*larkvc.P2MeetingEndedV1 vc.meeting.meeting_ended_v1",
	"*larkvc.P2MeetingAllMeetingEndedV1 vc.meeting.all_meeting_ended_v1",
	"*feishu.participantEnded vc.meeting.participant_meeting_ended_v1",
}

// checkMeetingEvents asserts the typed events of runMeeting's meeting, then that meetmock
// recorded every delivery as delivered.
func checkMeetingEvents(t *testing.T, a *receiver, tn tenant, mid, token string) []got {
	t.Helper()
	events := a.wait(t, len(expected))
	if fmt.Sprint(kinds(events)) != fmt.Sprint(expected) {
		t.Fatalf("events:\n got %v\nwant %v", kinds(events), expected)
	}
	ids := map[string]bool{}
	for _, e := range events {
		ids[e.header.EventID] = true
		if e.header.AppID != tn.app || e.header.Token != token || e.meetingID() != mid || len(deref(e.meeting.MeetingNo)) != 9 {
			t.Fatalf("%s: header %+v, meeting %s", e.kind, e.header, e.meetingID())
		}
		if len(e.header.EventID) != 32 || len(e.header.CreateTime) != 13 {
			t.Fatalf("event_id %q create_time %q", e.header.EventID, e.header.CreateTime)
		}
	}
	if len(ids) != len(events) {
		t.Fatal("event ids repeat")
	}
	st := events[0].meeting
	if deref(st.Topic) != "events through the Go SDK" || deref(st.MeetingSource) != 4 || openID(st.HostUser) != tn.host {
		t.Fatalf("started: %+v", st)
	}
	joins := []string{events[3].operatorID(), events[4].operatorID()}
	sort.Strings(joins)
	if events[2].operatorID() != tn.host || fmt.Sprint(joins) != fmt.Sprint(tn.guests[:]) {
		t.Fatalf("joins: %s then %v", events[2].operatorID(), joins)
	}
	var leaves []string
	for _, e := range events[5:8] {
		leaves = append(leaves, fmt.Sprintf("%s:%d", openID(e.leaveUser), e.leaveReason))
	}
	if want := []string{tn.guests[0] + ":1", tn.guests[1] + ":3", tn.host + ":2"}; fmt.Sprint(leaves) != fmt.Sprint(want) {
		t.Fatalf("leaves %v, want %v", leaves, want)
	}
	end := events[8].meeting
	if events[8].operatorID() != tn.host || deref(end.EndTime) < deref(st.StartTime) {
		t.Fatalf("ended by %s, %s..%s", events[8].operatorID(), deref(st.StartTime), deref(end.EndTime))
	}
	want := []string{tn.guests[0], tn.guests[1], tn.host}
	sort.Strings(want)
	if fmt.Sprint(events[10].subscribers) != fmt.Sprint(want) {
		t.Fatalf("took part: %v", events[10].subscribers)
	}
	allDelivered(t, len(expected))
	return events
}

// allDelivered waits until meetmock has the answer to all n deliveries (the app has the last
// event a moment before) and asserts they are all there is.
func allDelivered(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for count(t, "/events/count?status=delivered") < n {
		if time.Now().After(deadline) {
			t.Fatalf("not all delivered: %v", admin(t, "GET", "/events?limit=20", nil))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if all := count(t, "/events/count"); all != n {
		t.Fatalf("%d deliveries, want %d", all, n)
	}
}

func count(t *testing.T, path string) int {
	return int(admin(t, "GET", path, nil)["count"].(float64))
}
