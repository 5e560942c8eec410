// Package dingtalk drives meetmock with the official Go SDK (github.com/alibabacloud-go/dingtalk
// v1.7.42, pinned in go.mod): oauth2_1_0 tokens and the conference_1_0 invite flow, exactly as
// a user would (openapi.Config{Protocol, Endpoint}); `Protocol: "https"` trusts the written
// certificate through Config.Ca.
package dingtalk

import (
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	conference "github.com/alibabacloud-go/dingtalk/conference_1_0"
	oauth2 "github.com/alibabacloud-go/dingtalk/oauth2_1_0"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"

	"meetmock.local/clients/mmserver"
)

const (
	key      = "dingmockappkey"
	secret   = "mock-app-secret"
	host     = "host-union-0001"
	alice    = "union-alice-0001"
	demoConf = "607452e01401526ee39609e1"
)

var srv *mmserver.Server

func TestMain(m *testing.M) {
	s, err := mmserver.Start()
	if err != nil {
		panic(err)
	}
	srv = s
	code := m.Run()
	s.Stop()
	os.Exit(code)
}

func cfg() *openapi.Config {
	return &openapi.Config{Protocol: tea.String("http"), Endpoint: tea.String(srv.Host)}
}

func fresh(t *testing.T) {
	t.Helper()
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
}

func token(t *testing.T, k, s string, c *openapi.Config) (string, error) {
	t.Helper()
	client, err := oauth2.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	r, err := client.GetAccessToken(&oauth2.GetAccessTokenRequest{AppKey: tea.String(k), AppSecret: tea.String(s)})
	if err != nil {
		return "", err
	}
	if tea.Int64Value(r.Body.ExpireIn) != 7200 {
		t.Fatalf("expireIn %v", tea.Int64Value(r.Body.ExpireIn))
	}
	return tea.StringValue(r.Body.AccessToken), nil
}

func mustToken(t *testing.T) string {
	t.Helper()
	tok, err := token(t, key, secret, cfg())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func conf(t *testing.T) *conference.Client {
	t.Helper()
	c, err := conference.NewClient(cfg())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sdkErr asserts err is the SDK's error with this code and status; returns the body message.
func sdkErr(t *testing.T, err error, code string, status int) string {
	t.Helper()
	var e *tea.SDKError
	if !errors.As(err, &e) {
		t.Fatalf("want SDKError %s, got %v", code, err)
	}
	if tea.StringValue(e.Code) != code || tea.IntValue(e.StatusCode) != status {
		t.Fatalf("want %d %s, got %d %s (%s)", status, code, tea.IntValue(e.StatusCode), tea.StringValue(e.Code), tea.StringValue(e.Data))
	}
	var data map[string]any
	_ = json.Unmarshal([]byte(tea.StringValue(e.Data)), &data)
	msg, _ := data["message"].(string)
	return msg
}

func rt() *util.RuntimeOptions { return &util.RuntimeOptions{} }

func create(t *testing.T, tok string) string {
	t.Helper()
	h := &conference.CreateVideoConferenceHeaders{XAcsDingtalkAccessToken: tea.String(tok)}
	r, err := conf(t).CreateVideoConferenceWithOptions(&conference.CreateVideoConferenceRequest{
		UserId: tea.String(host), ConfTitle: tea.String("Go 会议"), InviteCaller: tea.Bool(false),
	}, h, rt())
	if err != nil {
		t.Fatal(err)
	}
	if len(tea.StringValue(r.Body.ConferenceId)) != 24 {
		t.Fatalf("conferenceId %q", tea.StringValue(r.Body.ConferenceId))
	}
	return tea.StringValue(r.Body.ConferenceId)
}

func invite(t *testing.T, tok, id string, req *conference.InviteUsersRequest) (*conference.InviteUsersResponse, error) {
	t.Helper()
	h := &conference.InviteUsersHeaders{XAcsDingtalkAccessToken: tea.String(tok)}
	return conf(t).InviteUsersWithOptions(tea.String(id), req, h, rt())
}

func members(t *testing.T, tok, id string) []*conference.QueryConferenceMembersResponseBodyMemberModels {
	t.Helper()
	h := &conference.QueryConferenceMembersHeaders{XAcsDingtalkAccessToken: tea.String(tok)}
	r, err := conf(t).QueryConferenceMembersWithOptions(tea.String(id), &conference.QueryConferenceMembersRequest{MaxResults: tea.Int32(20)}, h, rt())
	if err != nil {
		t.Fatal(err)
	}
	return r.Body.MemberModels
}

func TestTokenWrongSecretAndStrictUnknownKey(t *testing.T) {
	fresh(t)
	a := mustToken(t)
	if b := mustToken(t); a != b || len(a) != 32 {
		t.Fatalf("token %q then %q", a, b)
	}
	_, err := token(t, key, "WRONG", cfg())
	sdkErr(t, err, "invalidClientIdOrSecret", 400)
	if _, err := srv.AdminOK("PUT", "/tenants/strict", map[string]any{"vendor": "dingtalk", "strict": true}); err != nil {
		t.Fatal(err)
	}
	_, err = token(t, "ding-go-misconfigured", "s", cfg())
	sdkErr(t, err, "invalidClientIdOrSecret", 400)
}

func TestInviteFlowWithPhonesWithAndWithoutNickThenCloseAndInviteAfterClose(t *testing.T) {
	fresh(t)
	// The demo's invitees answer within seconds: a still clock keeps the calls as placed.
	if _, err := srv.AdminOK("POST", "/clock/freeze", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	tok := mustToken(t)
	id := create(t, tok)
	r, err := invite(t, tok, id, &conference.InviteUsersRequest{
		UnionId:     tea.String(host),
		InviteeList: []*conference.InviteUsersRequestInviteeList{{UnionId: tea.String(alice), Nick: tea.String("Alice")}},
		PhoneInviteeList: []*conference.InviteUsersRequestPhoneInviteeList{
			{PhoneNumber: tea.String("13800000000"), Nick: tea.String("Phone Guest")},
			{PhoneNumber: tea.String("13800000001")},
		},
	})
	if err != nil || !tea.BoolValue(r.Body.Success) {
		t.Fatalf("invite: %v", err)
	}
	nicks := map[string]int32{}
	for _, m := range members(t, tok, id) {
		nicks[tea.StringValue(m.UserNick)] = tea.Int32Value(m.AttendStatus)
	}
	for _, n := range []string{"Alice", "Phone Guest", "13800000001"} {
		if nicks[n] != 2 {
			t.Fatalf("%s not calling: %v", n, nicks)
		}
	}
	h := &conference.QueryConferenceInfoHeaders{XAcsDingtalkAccessToken: tea.String(tok)}
	info, err := conf(t).QueryConferenceInfoWithOptions(tea.String(id), h, rt())
	if err != nil || tea.Int32Value(info.Body.ConfInfo.Status) != 1 {
		t.Fatalf("info: %v", err)
	}
	ch := &conference.CloseVideoConferenceHeaders{XAcsDingtalkAccessToken: tea.String(tok)}
	closed, err := conf(t).CloseVideoConferenceWithOptions(tea.String(id), &conference.CloseVideoConferenceRequest{UnionId: tea.String(host)}, ch, rt())
	if err != nil || tea.StringValue(closed.Body.Cause) != "success" || tea.Int64Value(closed.Body.Code) != 200 {
		t.Fatalf("close: %v", err)
	}
	_, err = invite(t, tok, id, &conference.InviteUsersRequest{
		InviteeList: []*conference.InviteUsersRequestInviteeList{{UnionId: tea.String(alice), Nick: tea.String("Alice")}},
	})
	if msg := sdkErr(t, err, "paramsError", 400); msg != "error:conference has ended" {
		t.Fatalf("message %q", msg)
	}
}

func TestUserInviteeWithoutNickAndBadOrMissingToken(t *testing.T) {
	fresh(t)
	tok := mustToken(t)
	id := create(t, tok)
	_, err := invite(t, tok, id, &conference.InviteUsersRequest{
		InviteeList: []*conference.InviteUsersRequestInviteeList{{UnionId: tea.String(alice)}},
	})
	if msg := sdkErr(t, err, "paramsError", 400); msg != "error:nick is empty" {
		t.Fatalf("message %q", msg)
	}
	if n := len(members(t, tok, id)); n != 1 {
		t.Fatalf("members changed: %d", n)
	}
	req := &conference.InviteUsersRequest{InviteeList: []*conference.InviteUsersRequestInviteeList{{UnionId: tea.String(alice), Nick: tea.String("A")}}}
	_, err = invite(t, "bogus", id, req)
	sdkErr(t, err, "InvalidAuthentication", 400)
	_, err = conf(t).InviteUsersWithOptions(tea.String(id), req, &conference.InviteUsersHeaders{}, rt())
	sdkErr(t, err, "AuthenticationFailed.MissingParameter", 400)
}

func TestGatewayMissingFieldAndSettingsUpdate(t *testing.T) {
	fresh(t)
	tok := mustToken(t)
	h := &conference.CreateVideoConferenceHeaders{XAcsDingtalkAccessToken: tea.String(tok)}
	_, err := conf(t).CreateVideoConferenceWithOptions(&conference.CreateVideoConferenceRequest{ConfTitle: tea.String("x")}, h, rt())
	if msg := sdkErr(t, err, "MissinguserId", 400); msg != "userId is mandatory for this action." {
		t.Fatalf("message %q", msg)
	}
	sh := &conference.UpdateVideoConferenceSettingHeaders{XAcsDingtalkAccessToken: tea.String(tok)}
	r, err := conf(t).UpdateVideoConferenceSettingWithOptions(tea.String(demoConf),
		&conference.UpdateVideoConferenceSettingRequest{LockConference: tea.Bool(true)}, sh, rt())
	if err != nil || tea.StringValue(r.Body.Case) != "success" || tea.StringValue(r.Body.Code) != "200" {
		t.Fatalf("settings: %v", err)
	}
	_, err = invite(t, tok, demoConf, &conference.InviteUsersRequest{
		PhoneInviteeList: []*conference.InviteUsersRequestPhoneInviteeList{{PhoneNumber: tea.String("13800000009")}},
	})
	if msg := sdkErr(t, err, "paramsError", 400); msg != "error:conference is locked" {
		t.Fatalf("message %q", msg)
	}
}

func TestCorpTokensAndNoTokenCrossesAReset(t *testing.T) {
	fresh(t)
	client, err := oauth2.NewClient(cfg())
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.GetCorpAccessToken(&oauth2.GetCorpAccessTokenRequest{
		SuiteKey: tea.String("suite-go"), SuiteSecret: tea.String("s"), AuthCorpId: tea.String("corp-go"), SuiteTicket: tea.String("t"),
	})
	if err != nil || tea.Int64Value(c.Body.ExpireIn) != 7200 {
		t.Fatalf("corpAccessToken: %v", err)
	}
	g, err := client.GetToken(tea.String("dingmockcorp0001"), &oauth2.GetTokenRequest{
		ClientId: tea.String(key), ClientSecret: tea.String(secret), GrantType: tea.String("client_credentials"),
	})
	if err != nil || tea.StringValue(g.Body.AccessToken) != mustToken(t) {
		t.Fatalf("{corpId}/token: %v", err)
	}
	a, _ := token(t, "ding-go-a", "sa", cfg())
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
	b, _ := token(t, "ding-go-b", "sb", cfg())
	if a == "" || a == b {
		t.Fatalf("tokens %q %q", a, b)
	}
	h := &conference.QueryOrgConferenceListHeaders{XAcsDingtalkAccessToken: tea.String(a)}
	_, err = conf(t).QueryOrgConferenceListWithOptions(&conference.QueryOrgConferenceListRequest{}, h, rt())
	sdkErr(t, err, "InvalidAuthentication", 400)
}

func TestHTTPSWithTheWrittenCertificate(t *testing.T) {
	fresh(t)
	pem, err := os.ReadFile(srv.CertPath)
	if err != nil {
		t.Fatal(err)
	}
	// The Tea runtime caches one HTTP client per host:port, ignoring protocol and CA: the
	// plain-HTTP client of the tests above would be reused for https. Another name for the
	// same port (the certificate names localhost too) gets a client of its own.
	c := &openapi.Config{
		Protocol: tea.String("https"),
		Endpoint: tea.String("localhost:" + strconv.Itoa(srv.Port)),
		Ca:       tea.String(string(pem)),
	}
	tok, err := token(t, key, secret, c)
	if err != nil {
		t.Fatal(err)
	}
	client, err := conference.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	h := &conference.QueryConferenceInfoHeaders{XAcsDingtalkAccessToken: tea.String(tok)}
	r, err := client.QueryConferenceInfoWithOptions(tea.String(demoConf), h, rt())
	if err != nil || tea.StringValue(r.Body.ConfInfo.RoomCode) != "583912640" {
		t.Fatalf("https: %v", err)
	}
}
