package feishu

// Feishu VC event callbacks (webhooks) consumed by the Go SDK's own EventDispatcher
// (dispatcher.NewEventDispatcher) behind its own net/http adapter (core/httpserverext), in a
// local HTTP server the test starts — exactly as an app receives them. meetmock answers the
// URL challenge through it when the subscription is set, then delivers a meeting driven through
// the SDK's VC API and the living invite, plain or encrypted and signed; the SDK parses each
// into its typed larkvc.P2Meeting…V1 event. The Go dispatcher looks the signature headers up in
// net/http's canonical form (X-Lark-Signature), checks the signature over the raw body bytes,
// and checks the Verification Token only on the URL challenge.

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/larksuite/oapi-sdk-go/v3/core/httpserverext"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
)

const (
	vt = "go-verification-token"
	ek = "go-encrypt-key"
)

// endpoint is the app's event URL. Its dispatcher can be replaced while it runs (the app
// fixing its configuration).
type endpoint struct {
	*receiver
	url      string
	handler  atomic.Pointer[http.HandlerFunc]
	mu       sync.Mutex
	statuses []int
}

func newEndpoint(t *testing.T, token, encryptKey string) *endpoint {
	e := &endpoint{receiver: &receiver{}}
	e.configure(token, encryptKey)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		(*e.handler.Load())(rec, r)
		e.mu.Lock()
		e.statuses = append(e.statuses, rec.status)
		e.mu.Unlock()
	}))
	t.Cleanup(s.Close)
	e.url = s.URL + "/webhook/event"
	return e
}

// configure (re)builds the app's dispatcher with these secrets behind httpserverext.
func (e *endpoint) configure(token, encryptKey string) {
	h := http.HandlerFunc(httpserverext.NewEventHandlerFunc(e.dispatcherFor(token, encryptKey),
		larkevent.WithLogger(quiet{})))
	e.handler.Store(&h)
}

func (e *endpoint) answered() []int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]int(nil), e.statuses...)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func subscribe(t *testing.T, url, encryptKey string, extra map[string]any) map[string]any {
	t.Helper()
	body := map[string]any{"vendor": "feishu", "tenant": app, "url": url, "verification_token": vt}
	if encryptKey != "" {
		body["encrypt_key"] = encryptKey
	}
	for k, v := range extra {
		body[k] = v
	}
	return admin(t, "POST", "/subscriptions", body)
}

func verification(sub map[string]any) (string, string) {
	v := sub["verification"].(map[string]any)
	e, _ := v["error"].(string)
	return v["state"].(string), e
}

func TestPlainWebhookEventsReachTheDispatcherAsTypedEvents(t *testing.T) {
	reset(t)
	e := newEndpoint(t, vt, "")
	if state, err := verification(subscribe(t, e.url, "", nil)); state != "verified" {
		t.Fatalf("the SDK did not answer the challenge: %s %s", state, err)
	}
	mid := runMeeting(t, demo)
	events := checkMeetingEvents(t, e.receiver, demo, mid, vt)
	if h := events[2].meeting.HostUser; deref(h.Id.UnionId) != "on_host_0001" || deref(h.UserRole) != 2 {
		t.Fatalf("host user %+v", h.Id)
	}
	for _, s := range e.answered() {
		if s != http.StatusOK {
			t.Fatalf("the SDK answered %v", e.answered())
		}
	}
}

func TestEncryptedAndSignedWebhookEventsReachTheDispatcher(t *testing.T) {
	reset(t)
	e := newEndpoint(t, vt, ek)
	if state, err := verification(subscribe(t, e.url, ek, nil)); state != "verified" {
		t.Fatalf("the encrypted challenge: %s %s", state, err)
	}
	mid := runMeeting(t, demo)
	checkMeetingEvents(t, e.receiver, demo, mid, vt)
	last := admin(t, "GET", "/events?limit=1", nil)["events"].([]any)[0].(map[string]any)
	req := last["attempts"].([]any)[0].(map[string]any)["request"].(map[string]any)
	headers := req["headers"].(map[string]any)
	for _, h := range []string{"X-Lark-Request-Timestamp", "X-Lark-Request-Nonce", "X-Lark-Signature"} {
		if headers[h] == nil {
			t.Fatalf("no %s in %v", h, headers)
		}
	}
	if !strings.HasPrefix(req["body"].(string), `{"encrypt":"`) {
		t.Fatalf("body %s", req["body"])
	}
}

func TestADispatcherWithAnotherTokenRefusesTheChallengeUntilTheAppIsFixed(t *testing.T) {
	reset(t)
	e := newEndpoint(t, "another-token", "")
	sub := subscribe(t, e.url, "", nil)
	if state, err := verification(sub); state != "failed" || !strings.Contains(err, "HTTP 500") {
		t.Fatalf("verification %s %q", state, err)
	}
	if got := e.answered(); len(got) != 1 || got[0] != http.StatusInternalServerError {
		t.Fatalf("the SDK answered %v", got)
	}
	meetingAction(t, reserve, "start", nil)
	if n := count(t, "/events/count"); n != 0 {
		t.Fatalf("%d deliveries to a subscription that failed its check", n)
	}
	// The app is redeployed with the right token; the console's "verify" is run again.
	e.configure(vt, "")
	if state, err := verification(admin(t, "POST", "/subscriptions/"+sub["id"].(string)+"/verify", map[string]any{})); state != "verified" {
		t.Fatalf("re-verify: %s %s", state, err)
	}
	meetingAction(t, live, "join", map[string]any{"user": "ou_guest_0003"})
	got := e.wait(t, 1)
	if got[0].kind != "*larkvc.P2MeetingJoinMeetingV1" || got[0].operatorID() != "ou_guest_0003" {
		t.Fatalf("got %v", kinds(got))
	}
	allDelivered(t, 1)
}

// The Go dispatcher compares the Verification Token only on the URL challenge (Python's
// refuses any event whose header.token differs): a subscription that skipped the check
// (`verify: false`, as scenario subscriptions are) is served even with another token.
func TestTheGoDispatcherChecksTheTokenOnlyOnTheChallenge(t *testing.T) {
	reset(t)
	e := newEndpoint(t, "another-token", "")
	if state, _ := verification(subscribe(t, e.url, "", map[string]any{"verify": false})); state != "unchecked" {
		t.Fatalf("state %s", state)
	}
	meetingAction(t, live, "join", map[string]any{"user": "ou_guest_0004"})
	got := e.wait(t, 1)
	if got[0].header.Token != vt {
		t.Fatalf("token %q", got[0].header.Token)
	}
	allDelivered(t, 1)
}

func TestACorruptedSignatureIsRefusedByTheDispatcherThenRetriedOnTheClock(t *testing.T) {
	reset(t)
	e := newEndpoint(t, vt, ek)
	admin(t, "POST", "/clock/freeze", map[string]any{})
	admin(t, "POST", "/faults", map[string]any{
		"name": "bad-signature", "target": "delivery", "delivery": "corrupt_signature",
		"when": map[string]any{"first": 1}, "match": map[string]any{"vendor": "feishu", "event_type": "vc.meeting.join_meeting_v1"},
	})
	if state, err := verification(subscribe(t, e.url, ek, nil)); state != "verified" {
		t.Fatalf("%s %s", state, err)
	}
	meetingAction(t, live, "join", map[string]any{"user": "ou_guest_0001"})
	var d map[string]any
	waitFor(t, "the first attempt", func() bool {
		d = firstAttempted(t, "/events?type=vc.meeting.join_meeting_v1")
		return d != nil
	})
	first := d["attempts"].([]any)[0].(map[string]any)
	if first["status"] != float64(500) || d["status"] != "pending" ||
		!strings.Contains(first["response"].(string), "signature verification failed") {
		t.Fatalf("first attempt %v, delivery %v", first, d["status"])
	}
	if len(e.events()) != 0 {
		t.Fatal("a refused event reached a handler")
	}
	if err := srv.Advance(15); err != nil { // the first retry is due 15 s later
		t.Fatal(err)
	}
	got := e.wait(t, 1)
	if got[0].kind != "*larkvc.P2MeetingJoinMeetingV1" || got[0].header.EventID != d["event_id"] {
		t.Fatalf("retry: %v %s, want event id %s", kinds(got), got[0].header.EventID, d["event_id"])
	}
	allDelivered(t, 1)
	if codes := e.answered(); len(codes) != 3 || codes[1] != 500 || codes[2] != 200 {
		t.Fatalf("the SDK answered %v (challenge, refusal, retry)", codes)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// firstAttempted is the newest delivery the admin `path` lists once its first attempt is over
// (nil before: the delivery is queued a moment after the change that causes it).
func firstAttempted(t *testing.T, path string) map[string]any {
	events := admin(t, "GET", path, nil)["events"].([]any)
	if len(events) == 0 {
		return nil
	}
	d := events[0].(map[string]any)
	if len(d["attempts"].([]any)) == 0 || d["status"] == "in_flight" {
		return nil
	}
	return d
}
