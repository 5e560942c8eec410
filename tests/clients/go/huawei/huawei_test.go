// Package huawei drives Huawei Cloud Meeting through the official Go SDK
// (github.com/huaweicloud/huaweicloud-sdk-go-v3, services/meeting/v1) against meetmock, set up as
// a user would: MeetingCredentials (account + password, the only login the Go SDK offers), the
// endpoint at meetmock. The Go SDK logs in over the endpoint's own scheme, so plain HTTP and HTTPS
// (with the written certificate) are both exercised.
package huawei

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	meeting "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/meeting/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/meeting/v1/model"

	"meetmock.local/clients/mmserver"
)

const (
	account  = "demo@hwcorp"
	password = "Demo@Passw0rd"
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

func client(t *testing.T, endpoint, pwd string) *meeting.MeetingClient {
	t.Helper()
	cfg := config.DefaultHttpConfig()
	pem, err := os.ReadFile(srv.CertPath)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	cfg = cfg.WithHttpTransport(&http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}})
	creds := meeting.NewMeetingCredentialsBuilder().WithUserName(account).WithUserPassword(pwd).Build()
	hc, err := meeting.MeetingClientBuilder().WithEndpoint(endpoint).WithCredential(creds).WithHttpConfig(cfg).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return meeting.NewMeetingClient(hc)
}

func str(s string) *string { return &s }
func i32(i int32) *int32   { return &i }

// wantErr asserts the SDK's error carries this status and vendor code.
func wantErr(t *testing.T, err error, status int, code string) {
	t.Helper()
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) {
		t.Fatalf("want ServiceResponseError %d %s, got %v", status, code, err)
	}
	if se.StatusCode != status || se.ErrorCode != code || len(se.RequestId) != 32 {
		t.Fatalf("want %d %s, got %d %s (request id %q): %s", status, code, se.StatusCode, se.ErrorCode, se.RequestId, se.ErrorMessage)
	}
}

func TestTheInviteLifecycleThroughTheGoSDK(t *testing.T) {
	for _, endpoint := range []string{srv.Base, srv.HTTPSBase} {
		t.Run(endpoint[:5], func(t *testing.T) {
			if err := srv.Reset(); err != nil {
				t.Fatal(err)
			}
			c := client(t, endpoint, password)
			created, err := c.CreateMeeting(&model.CreateMeetingRequest{Body: &model.RestScheduleConfDto{
				StartTime: str("2030-01-01 08:00"), Length: i32(60), Subject: str("go sdk"), MediaTypes: "HDVideo",
			}})
			if err != nil {
				t.Fatal(err)
			}
			conf := (*created.Body)[0]
			id := *conf.ConferenceID
			chair := ""
			for _, p := range *conf.PasswordEntry {
				if *p.ConferenceRole == "chair" {
					chair = *p.Password
				}
			}
			_, err = c.CreateConfToken(&model.CreateConfTokenRequest{ConferenceID: id, XPassword: chair, XLoginType: 1})
			wantErr(t, err, 400, "MMC.111072005")
			_, err = c.InviteParticipant(&model.InviteParticipantRequest{ConferenceID: id, XConferenceAuthorization: "stbPLACEHOLDER",
				Body: &model.RestInviteReqBody{Attendees: []model.Attendee{{Name: "Bob", Phone: "+8613800000002"}}}})
			wantErr(t, err, 400, "MMC.111072005")

			if _, err = c.StartMeeting(&model.StartMeetingRequest{Body: &model.StartRequest{ConferenceID: id, Password: chair}}); err != nil {
				t.Fatal(err)
			}
			tok, err := c.CreateConfToken(&model.CreateConfTokenRequest{ConferenceID: id, XPassword: chair, XLoginType: 1})
			if err != nil {
				t.Fatal(err)
			}
			ct := *tok.Data.Token
			if *tok.Data.WsURL != srv.Host {
				t.Fatalf("wsURL %q, want %q", *tok.Data.WsURL, srv.Host)
			}
			_, err = c.InviteParticipant(&model.InviteParticipantRequest{ConferenceID: id, XConferenceAuthorization: ct,
				Body: &model.RestInviteReqBody{Attendees: []model.Attendee{
					{Name: "Bob", Phone: "+8613800000002", Type: "normal"},
					{Name: "Carol", Phone: "+8613800000003", Type: "mobile"},
				}}})
			if err != nil {
				t.Fatal(err)
			}
			online, err := c.ListOnlineConfAttendee(&model.ListOnlineConfAttendeeRequest{ConfId: id, Offset: i32(0), Limit: i32(100)})
			if err != nil {
				t.Fatal(err)
			}
			if *online.Count != 2 {
				t.Fatalf("online count %d", *online.Count)
			}
			_, err = c.InviteParticipant(&model.InviteParticipantRequest{ConferenceID: "999999999", XConferenceAuthorization: ct,
				Body: &model.RestInviteReqBody{Attendees: []model.Attendee{{Name: "Bob", Phone: "+8613800000002"}}}})
			wantErr(t, err, 400, "MMC.111072065")
			if _, err = c.StopMeeting(&model.StopMeetingRequest{ConferenceID: id, XConferenceAuthorization: ct}); err != nil {
				t.Fatal(err)
			}
			_, err = c.InviteParticipant(&model.InviteParticipantRequest{ConferenceID: id, XConferenceAuthorization: ct,
				Body: &model.RestInviteReqBody{Attendees: []model.Attendee{{Name: "Eve", Phone: "+8613800000005"}}}})
			wantErr(t, err, 400, "MMC.111072005")
			if _, err = c.CancelMeeting(&model.CancelMeetingRequest{ConferenceID: id, Type: i32(1)}); err != nil {
				t.Fatal(err)
			}
			_, err = c.ShowMeetingDetail(&model.ShowMeetingDetailRequest{ConferenceID: id})
			wantErr(t, err, 400, "MMC.111070005")
		})
	}
}

func TestAWrongPasswordIsRefusedWith401(t *testing.T) {
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
	c := client(t, srv.Base, "Wrong@Passw0rd")
	_, err := c.SearchMeetings(&model.SearchMeetingsRequest{})
	wantErr(t, err, 401, "USG.201010001")
}
