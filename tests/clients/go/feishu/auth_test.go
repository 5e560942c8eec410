package feishu

import (
	"net/http"
	"strings"
	"testing"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkauth "github.com/larksuite/oapi-sdk-go/v3/service/auth/v3"
	larkauthen "github.com/larksuite/oapi-sdk-go/v3/service/authen/v1"
	larkvc "github.com/larksuite/oapi-sdk-go/v3/service/vc/v1"
)

// tenantRaw is the raw answer of tenant_access_token/internal through the SDK.
func tenantRaw(t *testing.T) []byte {
	t.Helper()
	r, err := client().Auth.TenantAccessToken.Internal(ctx, larkauth.NewInternalTenantAccessTokenReqBuilder().
		Body(larkauth.NewInternalTenantAccessTokenReqBodyBuilder().AppId(app).AppSecret(secret).Build()).Build())
	if err != nil || !r.Success() {
		t.Fatalf("tenant token: %v %+v", err, r)
	}
	return r.RawBody
}

func TestTheAppTokenIsTheTenantToken(t *testing.T) {
	reset(t)
	tt := field(t, tenantRaw(t), "tenant_access_token")
	r, err := client().Auth.AppAccessToken.Internal(ctx, larkauth.NewInternalAppAccessTokenReqBuilder().
		Body(larkauth.NewInternalAppAccessTokenReqBodyBuilder().AppId(app).AppSecret(secret).Build()).Build())
	if err != nil || !r.Success() {
		t.Fatalf("%v %+v", err, r)
	}
	if at := field(t, r.RawBody, "app_access_token"); at != tt || !strings.HasPrefix(at, "t-") {
		t.Fatalf("app token %q, tenant token %q", at, tt)
	}
}

func TestOidcAndV1UserTokensRefreshAndUserInfo(t *testing.T) {
	reset(t)
	c := client()
	o, _ := c.Authen.OidcAccessToken.Create(ctx, larkauthen.NewCreateOidcAccessTokenReqBuilder().Body(
		larkauthen.NewCreateOidcAccessTokenReqBodyBuilder().GrantType("authorization_code").Code(loginCode(t, host, nil)).Build()).Build())
	if !o.Success() {
		t.Fatalf("oidc: %s", o.RawBody)
	}
	rf, _ := c.Authen.OidcRefreshAccessToken.Create(ctx, larkauthen.NewCreateOidcRefreshAccessTokenReqBuilder().Body(
		larkauthen.NewCreateOidcRefreshAccessTokenReqBodyBuilder().GrantType("refresh_token").RefreshToken(*o.Data.RefreshToken).Build()).Build())
	if !rf.Success() {
		t.Fatalf("refresh: %s", rf.RawBody)
	}
	v1, _ := c.Authen.AccessToken.Create(ctx, larkauthen.NewCreateAccessTokenReqBuilder().Body(
		larkauthen.NewCreateAccessTokenReqBodyBuilder().GrantType("authorization_code").Code(loginCode(t, "ou_guest_0002", nil)).Build()).Build())
	if !v1.Success() || *v1.Data.OpenId != "ou_guest_0002" {
		t.Fatalf("v1: %s", v1.RawBody)
	}
	v1r, _ := c.Authen.RefreshAccessToken.Create(ctx, larkauthen.NewCreateRefreshAccessTokenReqBuilder().Body(
		larkauthen.NewCreateRefreshAccessTokenReqBodyBuilder().GrantType("refresh_token").RefreshToken(*v1.Data.RefreshToken).Build()).Build())
	if !v1r.Success() || *v1r.Data.UnionId != "on_guest_0002" {
		t.Fatalf("v1 refresh: %s", v1r.RawBody)
	}
	info, _ := c.Authen.UserInfo.Get(ctx, larkcore.WithUserAccessToken(*rf.Data.AccessToken))
	if !info.Success() || *info.Data.OpenId != host {
		t.Fatalf("user_info: %s", info.RawBody)
	}
	// A refresh token is single use: HTTP 200 with the v1 page's code.
	again, err := c.Authen.OidcRefreshAccessToken.Create(ctx, larkauthen.NewCreateOidcRefreshAccessTokenReqBuilder().Body(
		larkauthen.NewCreateOidcRefreshAccessTokenReqBodyBuilder().GrantType("refresh_token").RefreshToken(*o.Data.RefreshToken).Build()).Build())
	expectCode(t, again, err, 200, 20026, "The refresh token passed is invalid. Please check the value")
}

func TestAStoreAppUsesItsTicketAndTenantKey(t *testing.T) {
	reset(t)
	admin(t, "POST", "/scenarios", map[string]any{"name": "go-isv", "tenants": []map[string]any{{
		"vendor": "feishu", "id": "cli_go_isv", "secret": "isv_secret", "extra": map[string]any{"app_type": "store"},
		"users":    []map[string]any{{"id": "ou_isv", "name": "ISV"}},
		"meetings": []map[string]any{{"id": "7700000000000000001", "code": "770000001", "host": "ou_isv", "state": "in_progress"}},
	}}})
	c := clientOf("cli_go_isv", "isv_secret", lark.WithMarketplaceApp())
	rs, _ := c.Auth.AppTicket.Resend(ctx, larkauth.NewResendAppTicketReqBuilder().
		Body(larkauth.NewResendAppTicketReqBodyBuilder().AppId("cli_go_isv").AppSecret("isv_secret").Build()).Build())
	if !rs.Success() {
		t.Fatalf("resend: %s", rs.RawBody)
	}
	tk := admin(t, "POST", "/vendors/feishu/app_ticket", map[string]any{"app_id": "cli_go_isv"})
	m, err := c.Vc.Meeting.Get(ctx, larkvc.NewGetMeetingReqBuilder().MeetingId("7700000000000000001").Build(),
		larkcore.WithAppTicket(tk["app_ticket"].(string)), larkcore.WithTenantKey(tk["tenant_key"].(string)))
	if err != nil || !m.Success() || *m.Data.Meeting.MeetingNo != "770000001" {
		t.Fatalf("isv meeting get: %v %+v", err, m)
	}
	// A stale ticket: 10012, on which the SDK asks for a resend.
	before, _ := srv.AdminOK("GET", "/requests/count?vendor=feishu&operation=auth.app_ticket.resend", nil)
	bad, _ := c.Auth.AppAccessToken.Create(ctx, larkauth.NewCreateAppAccessTokenReqBuilder().
		Body(larkauth.NewCreateAppAccessTokenReqBodyBuilder().AppId("cli_go_isv").AppSecret("isv_secret").AppTicket("stale").Build()).Build())
	if bad.Code != 10012 || bad.StatusCode != http.StatusOK {
		t.Fatalf("stale ticket: %s", bad.RawBody)
	}
	after, _ := srv.AdminOK("GET", "/requests/count?vendor=feishu&operation=auth.app_ticket.resend", nil)
	if after["count"].(float64) != before["count"].(float64)+1 {
		t.Fatalf("the SDK did not ask for a resend on 10012: %v → %v", before, after)
	}
}

func TestBadExpiredAndRevokedTokensAndScopes(t *testing.T) {
	reset(t)
	c := client()
	g, err := c.Vc.Meeting.Get(ctx, larkvc.NewGetMeetingReqBuilder().MeetingId(live).Build(), larkcore.WithUserAccessToken("u-bogus"))
	expectCode(t, g, err, 400, 99991668, "")
	tok := userToken(t, c, host)
	admin(t, "POST", "/tokens/expire", map[string]any{"token": tok})
	g, err = c.Vc.Meeting.Get(ctx, larkvc.NewGetMeetingReqBuilder().MeetingId(live).Build(), larkcore.WithUserAccessToken(tok))
	expectCode(t, g, err, 400, 99991677, "Authentication token expired")
	// The app loses a scope: 99991672 naming it.
	admin(t, "POST", "/vendors/feishu/app", map[string]any{"app_id": app, "scopes": []string{"vc:meeting"}})
	g, err = c.Vc.Meeting.Get(ctx, larkvc.NewGetMeetingReqBuilder().MeetingId(live).Build())
	expectCode(t, g, err, 400, 99991672, "")
	if !strings.Contains(g.Msg, "[vc:meeting:readonly]") {
		t.Fatalf("msg %q", g.Msg)
	}
	// A wrong secret: the SDK reports the token endpoint's 10014 before the business call.
	_, err = clientOf(app, "wrong").Vc.Meeting.Get(ctx, larkvc.NewGetMeetingReqBuilder().MeetingId(live).Build())
	if err == nil || !strings.Contains(err.Error(), "10014") {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestRateLimitAndLogIdHeaders(t *testing.T) {
	reset(t)
	admin(t, "POST", "/scenarios", map[string]any{"name": "tight", "rate_limits": map[string]any{"feishu": []map[string]any{{"limit": 2, "window_secs": 60}}}})
	defer admin(t, "POST", "/scenarios", map[string]any{"name": "documented", "rate_limits": map[string]any{"feishu": "documented"}})
	c := client()
	for i := 0; i < 2; i++ {
		ok, _ := c.Vc.Meeting.Get(ctx, larkvc.NewGetMeetingReqBuilder().MeetingId(live).Build())
		if !ok.Success() || !logID.MatchString(ok.LogId()) {
			t.Fatalf("call %d: %s %q", i, ok.RawBody, ok.LogId())
		}
	}
	r, err := c.Vc.Meeting.Get(ctx, larkvc.NewGetMeetingReqBuilder().MeetingId(live).Build())
	expectCode(t, r, err, 429, 99991400, "request trigger frequency limit")
	if r.Header.Get("X-Ogw-Ratelimit-Limit") != "2" || r.Header.Get("x-ogw-ratelimit-reset") == "" {
		t.Fatalf("headers: %v", r.Header)
	}
}
