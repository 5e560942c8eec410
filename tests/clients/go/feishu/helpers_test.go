// Package feishu drives Feishu / Lark VC v1 through the official Go SDK
// (github.com/larksuite/oapi-sdk-go/v3) against one meetmock started for the package.
//
// Every test resets the server and builds a client with its own token cache: the SDK keeps
// tokens in a process-wide cache that a server reset would leave stale.
package feishu

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkauthen "github.com/larksuite/oapi-sdk-go/v3/service/authen/v1"

	"meetmock.local/clients/mmserver"
)

const (
	app     = "cli_demo_feishu"
	secret  = "demo_feishu_secret"
	live    = "7000000000000000028"
	reserve = "6911188411934973028"
	host    = "ou_host_0001"
)

var (
	srv *mmserver.Server
	ctx = context.Background()
)

func TestMain(m *testing.M) {
	s, err := mmserver.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv = s
	code := m.Run()
	s.Stop()
	os.Exit(code)
}

// freshCache is a larkcore.Cache of one client.
type freshCache struct{ m sync.Map }

type entry struct {
	v   string
	exp time.Time
}

func (c *freshCache) Set(_ context.Context, k, v string, ttl time.Duration) error {
	c.m.Store(k, entry{v, time.Now().Add(ttl)})
	return nil
}

func (c *freshCache) Get(_ context.Context, k string) (string, error) {
	e, ok := c.m.Load(k)
	if !ok || time.Now().After(e.(entry).exp) {
		return "", nil
	}
	return e.(entry).v, nil
}

// reset gives the test a clean server.
func reset(t *testing.T) {
	t.Helper()
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
}

// client of an app on the server, with its own token cache (and the options given).
func client(opts ...lark.ClientOptionFunc) *lark.Client {
	return clientOf(app, secret, opts...)
}

func clientOf(id, sec string, opts ...lark.ClientOptionFunc) *lark.Client {
	base := []lark.ClientOptionFunc{
		lark.WithOpenBaseUrl(srv.Base),
		lark.WithTokenCache(&freshCache{}),
		lark.WithLogLevel(larkcore.LogLevelError),
		lark.WithLogger(quiet{}),
	}
	return lark.NewClient(id, sec, append(base, opts...)...)
}

// quiet discards the SDK's log lines (refusals are the point of many tests).
type quiet struct{}

func (quiet) Debug(context.Context, ...interface{}) {}
func (quiet) Info(context.Context, ...interface{})  {}
func (quiet) Warn(context.Context, ...interface{})  {}
func (quiet) Error(context.Context, ...interface{}) {}

func admin(t *testing.T, method, path string, body any) map[string]any {
	t.Helper()
	out, err := srv.AdminOK(method, path, body)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func meetingAction(t *testing.T, id, action string, extra map[string]any) map[string]any {
	body := map[string]any{"vendor": "feishu"}
	for k, v := range extra {
		body[k] = v
	}
	return admin(t, "POST", "/meetings/"+id+"/"+action, body)
}

func loginCode(t *testing.T, user string, extra map[string]any) string {
	body := map[string]any{"app_id": app, "user": user}
	for k, v := range extra {
		body[k] = v
	}
	return admin(t, "POST", "/vendors/feishu/login_code", body)["code"].(string)
}

// userToken through the SDK's OIDC call (it authenticates with the app token, which for a
// self-built app is the tenant token).
func userToken(t *testing.T, c *lark.Client, user string) string {
	t.Helper()
	req := larkauthen.NewCreateOidcAccessTokenReqBuilder().Body(
		larkauthen.NewCreateOidcAccessTokenReqBodyBuilder().
			GrantType("authorization_code").Code(loginCode(t, user, nil)).Build()).Build()
	r, err := c.Authen.OidcAccessToken.Create(ctx, req)
	if err != nil || !r.Success() {
		t.Fatalf("oidc: %v %+v", err, r)
	}
	return *r.Data.AccessToken
}

// expectCode asserts a typed response's HTTP status, code and message, and that the log id
// is the one repeated in the error body.
func expectCode(t *testing.T, resp any, err error, status, code int, msg string) {
	t.Helper()
	if err != nil {
		t.Fatalf("transport error: %v", err)
	}
	raw, _ := json.Marshal(resp)
	var v struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	}
	_ = json.Unmarshal(raw, &v)
	api := apiResp(resp)
	if api.StatusCode != status || v.Code != code || (msg != "" && v.Msg != msg) {
		t.Fatalf("want %d %d %q, got %d %s", status, code, msg, api.StatusCode, api.RawBody)
	}
	var body struct {
		Error struct {
			LogID string `json:"log_id"`
		} `json:"error"`
	}
	_ = json.Unmarshal(api.RawBody, &body)
	if body.Error.LogID != "" && body.Error.LogID != api.LogId() {
		t.Fatalf("log id %q in the body, %q in the header", body.Error.LogID, api.LogId())
	}
}

// apiResp digs the raw response out of any typed SDK response (they embed *ApiResp).
func apiResp(resp any) *larkcore.ApiResp {
	v := reflect.ValueOf(resp)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	f := v.FieldByName("ApiResp")
	if a, ok := f.Interface().(*larkcore.ApiResp); ok && a != nil {
		return a
	}
	panic(fmt.Sprintf("no ApiResp in %T", resp))
}

// field reads a string from a raw JSON body.
func field(t *testing.T, raw []byte, key string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	s, _ := m[key].(string)
	return s
}

func now(t *testing.T) int64 {
	return int64(admin(t, "GET", "/clock", nil)["now_ms"].(float64)) / 1000
}

func sp(s string) *string { return &s }
