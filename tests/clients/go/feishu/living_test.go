package feishu

// The living invite through the official Go SDK: invite, move the server clock with the
// admin API (never sleep), read calling 1 → ringing 3 → joined 2 → left 4 back with the SDK.

import (
	"testing"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkvc "github.com/larksuite/oapi-sdk-go/v3/service/vc/v1"
)

// statuses of the live meeting's participants, by open_id, after advancing the clock.
func statusesAfter(t *testing.T, c *lark.Client, secs float64) map[string]int {
	t.Helper()
	if secs > 0 {
		if err := srv.Advance(secs); err != nil {
			t.Fatal(err)
		}
	}
	req := larkvc.NewGetMeetingReqBuilder().MeetingId(live).WithParticipants(true).Build()
	m, err := c.Vc.Meeting.Get(ctx, req)
	if err != nil || !m.Success() {
		t.Fatalf("meeting get: %v %+v", err, m)
	}
	out := map[string]int{}
	for _, p := range m.Data.Meeting.Participants {
		out[*p.Id] = *p.Status
	}
	return out
}

func TestAnInviteeRingsJoinsAndLeavesOnTheServerClock(t *testing.T) {
	reset(t)
	admin(t, "POST", "/clock/freeze", map[string]any{})
	admin(t, "PUT", "/behaviours", map[string]any{
		"vendor": "feishu", "tenant": app, "user": "ou_guest_0007",
		"alert": 500, "ring": 3000, "outcome": "accept", "stay": 60000,
	})
	c := client()
	u := larkcore.WithUserAccessToken(userToken(t, c, host))
	r, err := c.Vc.Meeting.Invite(ctx, inviteReq(live, "ou_guest_0007", "ou_guest_0010"), u)
	if err != nil || !r.Success() {
		t.Fatalf("invite: %v %+v", err, r)
	}
	for _, step := range []struct {
		secs float64
		want map[string]int
	}{
		{0, map[string]int{host: 2, "ou_guest_0007": 1, "ou_guest_0010": 1}},
		{1, map[string]int{"ou_guest_0007": 3}},
		{5, map[string]int{"ou_guest_0007": 2, "ou_guest_0010": 4}},
		{60, map[string]int{"ou_guest_0007": 4}},
	} {
		got := statusesAfter(t, c, step.secs)
		for id, st := range step.want {
			if got[id] != st {
				t.Fatalf("after +%vs: %s is %d, want %d (%v)", step.secs, id, got[id], st, got)
			}
		}
	}
}
