package feishu

// Feishu events over the long connection, received by the Go SDK's own ws client
// (github.com/larksuite/oapi-sdk-go/v3/ws) with WithDomain(meetmock): it discovers the endpoint
// (POST /callback/ws/endpoint), dials the ws:// URL it is given, pings, receives the meeting's
// events as pbbp2 DATA frames, hands them to its EventDispatcher as typed larkvc events and
// acknowledges each — meetmock records every delivery as delivered with the SDK's own ACK. A
// connection dropped through the admin API is re-established by the SDK and events flow again.
//
// ws.Client has no Close: Start never returns. Each test has its own app (a scenario tenant),
// so a client left behind gets nothing meant for another test, and is stopped the way the
// SDK stops by itself — its endpoint call refused with a credential error (a ClientError).

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	larkvc "github.com/larksuite/oapi-sdk-go/v3/service/vc/v1"
	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"
)

const wsMeeting = "7000000000000000901"

// wsTenant loads (once per server) a scenario app for one test: a host and two guests who
// accept calls, a running meeting, and no reconnect jitter (the live service says 30 s).
func wsTenant(t *testing.T, id string) tenant {
	t.Helper()
	tn := tenant{app: id, secret: id + "-secret", host: "ou_" + id + "_host",
		guests: [2]string{"ou_" + id + "_g1", "ou_" + id + "_g2"}}
	tenants := admin(t, "GET", "/tenants", nil)
	if !strings.Contains(fmt.Sprint(tenants), id) {
		var users []map[string]any
		for _, u := range []string{tn.host, tn.guests[0], tn.guests[1]} {
			users = append(users, map[string]any{"id": u, "name": u, "aliases": map[string]any{"union_id": "on" + u[2:]}})
		}
		admin(t, "POST", "/scenarios?name="+id, map[string]any{"tenants": []any{map[string]any{
			"vendor": "feishu", "id": id, "secret": tn.secret,
			"extra":      map[string]any{"ws_client_config": map[string]any{"ReconnectNonce": 0, "ReconnectInterval": 1}},
			"users":      users,
			"meetings":   []any{map[string]any{"id": wsMeeting, "topic": "go ws", "host": tn.host, "state": "in_progress"}},
			"behaviours": []any{map[string]any{"alert": map[string]any{"min_ms": 500, "max_ms": 1000}, "ring": 2000, "outcome": "accept"}},
		}}})
	}
	return tn
}

// sdkLog keeps the ws client's log lines, shown when a test fails.
type sdkLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *sdkLog) add(level string, args ...interface{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, level+" "+fmt.Sprint(args...))
}
func (l *sdkLog) Debug(_ context.Context, a ...interface{}) { l.add("DEBUG", a...) }
func (l *sdkLog) Info(_ context.Context, a ...interface{})  { l.add("INFO", a...) }
func (l *sdkLog) Warn(_ context.Context, a ...interface{})  { l.add("WARN", a...) }
func (l *sdkLog) Error(_ context.Context, a ...interface{}) { l.add("ERROR", a...) }

// startWS runs the SDK's ws client for the app with a dispatcher built with ("", "") — as the
// long-connection doc says — and stops it when the test ends.
func startWS(t *testing.T, tn tenant) *receiver {
	t.Helper()
	r := &receiver{}
	runWS(t, tn, r.dispatcherFor("", ""))
	return r
}

func runWS(t *testing.T, tn tenant, d *dispatcher.EventDispatcher) {
	t.Helper()
	logs := &sdkLog{}
	cli := larkws.NewClient(tn.app, tn.secret,
		larkws.WithEventHandler(d),
		larkws.WithDomain(srv.Base),
		larkws.WithLogger(logs), larkws.WithLogLevel(larkcore.LogLevelDebug))
	go func() { _ = cli.Start(context.Background()) }()
	t.Cleanup(func() {
		stopWS(t, tn)
		if t.Failed() {
			logs.mu.Lock()
			t.Logf("SDK log:\n%s", strings.Join(logs.lines, "\n"))
			logs.mu.Unlock()
		}
	})
}

// stopWS refuses the app's endpoint discovery with 1000040345 (a ClientError to the SDK, which
// then stops reconnecting) and drops its connections.
func stopWS(t *testing.T, tn tenant) {
	admin(t, "POST", "/faults", map[string]any{
		"name": "stop-" + tn.app, "error": "ws_app_id_or_secret_invalid",
		"match": map[string]any{"vendor": "feishu", "operation": "callback.ws.endpoint", "body_regex": tn.app},
	})
	for _, c := range connections(t, tn.app) {
		admin(t, "DELETE", fmt.Sprint("/connections/", c["id"]), nil)
	}
	waitFor(t, "the SDK to be refused", func() bool {
		return count(t, "/requests/count?operation=callback.ws.endpoint&code=1000040345") > 0
	})
}

func connections(t *testing.T, appID string) []map[string]any {
	var out []map[string]any
	for _, c := range admin(t, "GET", "/connections?vendor=feishu&tenant="+appID, nil)["connections"].([]any) {
		out = append(out, c.(map[string]any))
	}
	return out
}

// connected waits for a connection of the app other than `not`.
func connected(t *testing.T, appID, not string) map[string]any {
	t.Helper()
	var conn map[string]any
	waitFor(t, "the SDK to connect", func() bool {
		for _, c := range connections(t, appID) {
			if fmt.Sprint(c["id"]) != not {
				conn = c
				return true
			}
		}
		return false
	})
	return conn
}

func subscribeLongConnection(t *testing.T, appID string) {
	t.Helper()
	sub := admin(t, "POST", "/subscriptions", map[string]any{"vendor": "feishu", "tenant": appID, "mode": "long_connection"})
	if state, err := verification(sub); state != "verified" {
		t.Fatalf("long_connection mode with the SDK online: %s %s", state, err)
	}
}

func TestTheWsClientReceivesTheMeetingsTypedEventsAndAcksThem(t *testing.T) {
	reset(t)
	tn := wsTenant(t, "cli_go_ws_events")
	r := startWS(t, tn)
	conn := connected(t, tn.app, "")
	if !strings.HasPrefix(conn["target"].(string), "/ws/v2?") || !strings.Contains(conn["target"].(string), "ticket=***") {
		t.Fatalf("connection %v", conn)
	}
	subscribeLongConnection(t, tn.app)
	mid := runMeeting(t, tn)
	events := checkMeetingEvents(t, r, tn, mid, "")
	if u := events[0].meeting.HostUser; deref(u.Id.UnionId) != "on_cli_go_ws_events_host" {
		t.Fatalf("host %+v", u.Id)
	}
	last := admin(t, "GET", "/events?limit=1", nil)["events"].([]any)[0].(map[string]any)
	a := last["attempts"].([]any)[0].(map[string]any)
	if a["status"] != float64(200) || a["ok"] != true || a["response"] != `{"code":200,"headers":null,"data":null}` {
		t.Fatalf("attempt %v: want the Go SDK's own ACK", a)
	}
	// The SDK pinged right after connecting and got its pong; its ACKs came in too.
	if in := connections(t, tn.app)[0]["messages_in"].(float64); int(in) <= len(expected) {
		t.Fatalf("messages in: %v", in)
	}
}

func TestADroppedConnectionIsReEstablishedByTheWsClientAndEventsFlowAgain(t *testing.T) {
	reset(t)
	tn := wsTenant(t, "cli_go_ws_reconnect")
	r := startWS(t, tn)
	first := connected(t, tn.app, "")
	subscribeLongConnection(t, tn.app)
	admin(t, "DELETE", fmt.Sprint("/connections/", first["id"]), nil)
	second := connected(t, tn.app, fmt.Sprint(first["id"]))
	if second["label"] == first["label"] {
		t.Fatalf("a new endpoint call gives a new device id: %v / %v", first["label"], second["label"])
	}
	if n := count(t, "/requests/count?operation=callback.ws.endpoint"); n < 2 {
		t.Fatalf("%d endpoint calls", n)
	}
	meetingAction(t, wsMeeting, "join", map[string]any{"tenant": tn.app, "user": tn.guests[0]})
	got := r.wait(t, 1)
	if got[0].kind != "*larkvc.P2MeetingJoinMeetingV1" || got[0].operatorID() != tn.guests[0] || got[0].meetingID() != wsMeeting {
		t.Fatalf("got %v", kinds(got))
	}
	allDelivered(t, 1)
}

// A handler that fails makes the SDK answer the push with code 500; meetmock redelivers the
// event (the same event_id) when the first retry falls due on the server clock, 15 s later.
func TestAHandlerErrorIsAckedWith500AndRedeliveredOnTheClock(t *testing.T) {
	reset(t)
	tn := wsTenant(t, "cli_go_ws_retry")
	var mu sync.Mutex
	var ids []string
	runWS(t, tn, dispatcher.NewEventDispatcher("", "").
		OnP2MeetingJoinMeetingV1(func(_ context.Context, e *larkvc.P2MeetingJoinMeetingV1) error {
			mu.Lock()
			defer mu.Unlock()
			ids = append(ids, e.EventV2Base.Header.EventID)
			if len(ids) == 1 {
				return errors.New("the app's database is down")
			}
			return nil
		}))
	connected(t, tn.app, "")
	subscribeLongConnection(t, tn.app)
	admin(t, "POST", "/clock/freeze", map[string]any{})
	meetingAction(t, wsMeeting, "join", map[string]any{"tenant": tn.app, "user": tn.guests[1]})
	var d map[string]any
	waitFor(t, "the first attempt", func() bool {
		d = firstAttempted(t, "/events?limit=1")
		return d != nil
	})
	first := d["attempts"].([]any)[0].(map[string]any)
	if d["status"] != "pending" || first["status"] != float64(500) || first["response"] != `{"code":500,"headers":null,"data":null}` {
		t.Fatalf("delivery %v, first attempt %v", d["status"], first)
	}
	if err := srv.Advance(15); err != nil {
		t.Fatal(err)
	}
	allDelivered(t, 1)
	mu.Lock()
	defer mu.Unlock()
	if len(ids) != 2 || ids[0] != ids[1] || ids[0] != d["event_id"] {
		t.Fatalf("the handler saw %v, want %s twice", ids, d["event_id"])
	}
}
