// Package tencent drives meetmock's Tencent Meeting API the way the official Go SDK
// (github.com/TencentCloud/wemeet-openapi-sdk-go, v1.0.x) puts requests on the wire, and
// decodes the answers into structs typed like that SDK's models, so a JSON type the SDK cannot
// unmarshal fails here.
//
// The official module itself cannot be installed here: the Go module proxy this project uses
// refuses every version of it (403 "not available"), so its wire behaviour is restated from
// its source (core/authenticator.go, core/xhttp): query keys sorted (url.Values.Encode), the
// request-target of req.URL.RequestURI() signed, nonce = unix ms × 10^6 + 6 random digits
// (uint64), SdkId always sent (empty when unset), X-TC-Registered "1", Content-Type
// "application/json; charset=utf-8" on every method, User-Agent "openapi-sdk-go/<version>".
// Error bodies are read as the SDK's ServiceError does: {"error_info":{error_code,
// new_error_code, message}} with int64 codes.
package tencent

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"meetmock.local/clients/mmserver"
)

const (
	appID     = "211000001"
	sdkID     = "28370000001"
	secretID  = "AKIDmeetmockDemoSecretId0001"
	secretKey = "meetmockDemoSecretKey0001"
	scheduled = "5417310002754750436"
	running   = "5417310002754750437"
)

var srv *mmserver.Server

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

// serviceError mirrors wemeetcore.ServiceError.
type serviceError struct {
	Status    int
	ErrorInfo *struct {
		ErrorCode    int64  `json:"error_code"`
		NewErrorCode int64  `json:"new_error_code"`
		Message      string `json:"message"`
	} `json:"error_info"`
}

func (e *serviceError) Error() string { return fmt.Sprintf("%d %+v", e.Status, e.ErrorInfo) }

var nonces = rand.New(rand.NewSource(time.Now().UnixNano()))

// do sends one request as the Go SDK does and decodes a 2xx into out.
func do(t *testing.T, method, path string, query url.Values, body any, out any) *serviceError {
	t.Helper()
	u := srv.Base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, admin, _ := srv.Admin("GET", "/clock", nil)
	ts := strconv.FormatInt(int64(admin["now_ms"].(float64))/1000, 10)
	nonce := uint64(time.Now().UnixMilli())*1000000 + uint64(nonces.Intn(1000000))
	sts := fmt.Sprintf("%s\nX-TC-Key=%s&X-TC-Nonce=%d&X-TC-Timestamp=%s\n%s\n%s",
		method, secretID, nonce, ts, req.URL.RequestURI(), string(raw))
	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(sts))
	sig := base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(mac.Sum(nil))))
	h := req.Header
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-TC-Key", secretID)
	h.Set("AppId", appID)
	h.Set("SdkId", sdkID)
	h.Set("X-TC-Nonce", fmt.Sprint(nonce))
	h.Set("X-TC-Registered", "1")
	h.Set("X-TC-Timestamp", ts)
	h.Set("X-TC-Signature", sig)
	h.Set("User-Agent", "openapi-sdk-go/v1.0.10")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		se := &serviceError{Status: resp.StatusCode}
		if err := json.Unmarshal(data, se); err != nil || se.ErrorInfo == nil {
			t.Fatalf("error body the SDK cannot read: %d %s", resp.StatusCode, data)
		}
		return se
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("the SDK's model cannot decode %s %s: %v\n%s", method, path, err, data)
		}
	}
	return nil
}

func wantErr(t *testing.T, se *serviceError, status int, code int64) {
	t.Helper()
	if se == nil {
		t.Fatalf("want %d/%d, got success", status, code)
	}
	if se.Status != status || se.ErrorInfo.ErrorCode != code || se.ErrorInfo.NewErrorCode%1000000 != code {
		t.Fatalf("want %d/%d, got %v", status, code, se)
	}
}

func reset(t *testing.T) {
	t.Helper()
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
}

// Models, typed as the Go SDK's (pointers, int64, string times).
type inviteesPut struct {
	UserNonRegistered []string `json:"user_non_registered,omitempty"`
}
type inviteesGet struct {
	HasRemaining *bool  `json:"has_remaining,omitempty"`
	NextPos      *int64 `json:"next_pos,omitempty"`
	Invitees     []struct {
		Userid   *string `json:"userid,omitempty"`
		NickName *string `json:"nick_name,omitempty"`
	} `json:"invitees,omitempty"`
}
type meetingInfo struct {
	Subject      *string `json:"subject,omitempty"`
	MeetingId    *string `json:"meeting_id,omitempty"`
	MeetingCode  *string `json:"meeting_code,omitempty"`
	Status       *string `json:"status,omitempty"`
	Type         *int64  `json:"type,omitempty"`
	MeetingType  *int64  `json:"meeting_type,omitempty"`
	StartTime    *string `json:"start_time,omitempty"`
	EndTime      *string `json:"end_time,omitempty"`
	JoinUrl      *string `json:"join_url,omitempty"`
	NeedPassword *bool   `json:"need_password,omitempty"`
	Hosts        []struct {
		Userid *string `json:"userid,omitempty"`
	} `json:"hosts,omitempty"`
	Participants []struct {
		Userid *string `json:"userid,omitempty"`
	} `json:"participants,omitempty"`
	Settings          map[string]any `json:"settings,omitempty"`
	UserNonRegistered []string       `json:"user_non_registered,omitempty"`
}
type meetings struct {
	MeetingNumber   *int64        `json:"meeting_number,omitempty"`
	MeetingInfoList []meetingInfo `json:"meeting_info_list,omitempty"`
}
type realTime struct {
	MeetingId    *string `json:"meeting_id,omitempty"`
	Status       *string `json:"status,omitempty"`
	TotalCount   *int64  `json:"total_count,omitempty"`
	TotalPage    *int64  `json:"total_page,omitempty"`
	CurrentPage  *int64  `json:"current_page,omitempty"`
	CurrentSize  *int64  `json:"current_size,omitempty"`
	Participants []struct {
		Userid     *string `json:"userid,omitempty"`
		MsOpenId   *string `json:"ms_open_id,omitempty"`
		UserName   *string `json:"user_name,omitempty"`
		Instanceid *int64  `json:"instanceid,omitempty"`
		JoinTime   *string `json:"join_time,omitempty"`
		UserRole   *int64  `json:"user_role,omitempty"`
	} `json:"participants,omitempty"`
}
type userDetail struct {
	Userid          *string `json:"userid,omitempty"`
	Username        *string `json:"username,omitempty"`
	Status          *string `json:"status,omitempty"`
	EntryTime       *string `json:"entry_time,omitempty"`
	UserAccountType *int64  `json:"user_account_type,omitempty"`
	PhoneStatus     *int64  `json:"phone_status,omitempty"`
	Uuid            *string `json:"uuid,omitempty"`
}
type userList struct {
	TotalCount  *int64       `json:"total_count,omitempty"`
	CurrentSize *int64       `json:"current_size,omitempty"`
	CurrentPage *int64       `json:"current_page,omitempty"`
	PageSize    *int64       `json:"page_size,omitempty"`
	Users       []userDetail `json:"users,omitempty"`
}
type history struct {
	TotalCount      *int64 `json:"total_count,omitempty"`
	MeetingInfoList []struct {
		MeetingId *string `json:"meeting_id,omitempty"`
		StartTime *int64  `json:"start_time,omitempty"`
		EndTime   *int64  `json:"end_time,omitempty"`
	} `json:"meeting_info_list,omitempty"`
}

func setInvitees(t *testing.T, id, who string, ids ...string) (*inviteesPut, *serviceError) {
	list := []map[string]string{}
	for _, u := range ids {
		list = append(list, map[string]string{"userid": u})
	}
	body := map[string]any{"instanceid": 1, "userid": who}
	if len(list) > 0 { // the SDK omits an empty list (omitempty)
		body["invitees"] = list
	}
	var out inviteesPut
	return &out, do(t, "PUT", "/v1/meetings/"+id+"/invitees", nil, body, &out)
}

func listAll(t *testing.T, id string) []string {
	var got []string
	pos := int64(0)
	for {
		var page inviteesGet
		q := url.Values{"userid": {"userA"}, "instanceid": {"1"}, "pos": {strconv.FormatInt(pos, 10)}}
		if se := do(t, "GET", "/v1/meetings/"+id+"/invitees", q, nil, &page); se != nil {
			t.Fatal(se)
		}
		for _, i := range page.Invitees {
			got = append(got, *i.Userid)
		}
		if page.HasRemaining == nil || !*page.HasRemaining {
			return got
		}
		pos = *page.NextPos
	}
}

func TestSetInviteesOverwritesReportsUnregisteredAndClears(t *testing.T) {
	reset(t)
	out, se := setInvitees(t, scheduled, "userA", "userB", "userC", "userD", "userE", "ghost_u")
	if se != nil || len(out.UserNonRegistered) != 1 || out.UserNonRegistered[0] != "ghost_u" {
		t.Fatalf("%v %v", out, se)
	}
	setInvitees(t, scheduled, "userA", "userC", "userB")
	if got := listAll(t, scheduled); fmt.Sprint(got) != "[userC userB]" {
		t.Fatalf("got %v", got)
	}
	setInvitees(t, scheduled, "userA")
	if got := listAll(t, scheduled); len(got) != 0 {
		t.Fatalf("not cleared: %v", got)
	}
}

func TestSortedQueryKeysAreSignedAsSent(t *testing.T) {
	reset(t)
	q := url.Values{"operator_id": {"userA"}, "operator_id_type": {"1"}, "instanceid": {"1"}}
	var m meetings
	if se := do(t, "GET", "/v1/meetings/"+scheduled, q, nil, &m); se != nil {
		t.Fatal(se)
	}
	if *m.MeetingInfoList[0].Status != "MEETING_STATE_INIT" {
		t.Fatalf("%+v", m.MeetingInfoList[0])
	}
}

func TestPermissionsAndUnknownMeetings(t *testing.T) {
	reset(t)
	_, se := setInvitees(t, scheduled, "userB", "userC")
	wantErr(t, se, 403, 9042)
	if se.ErrorInfo.Message != "无权限进行该操作，建议检查操作者身份或资源归属。" {
		t.Fatalf("message %q", se.ErrorInfo.Message)
	}
	_, se = setInvitees(t, "1234567890123456789", "userA", "userB")
	wantErr(t, se, 400, 190457)
}

func TestCreatedMeetingRunsThroughStartDismissAndHistory(t *testing.T) {
	reset(t)
	_, clock, _ := srv.Admin("GET", "/clock", nil)
	now := int64(clock["now_ms"].(float64)) / 1000
	var created meetings
	se := do(t, "POST", "/v1/meetings", nil, map[string]any{
		"userid": "userA", "instanceid": 1, "subject": "Go 会议", "type": 0,
		"start_time": strconv.FormatInt(now+600, 10), "end_time": strconv.FormatInt(now+4200, 10),
		"invitees": []map[string]string{{"userid": "userB"}, {"userid": "ghost_u"}},
	}, &created)
	if se != nil {
		t.Fatal(se)
	}
	info := created.MeetingInfoList[0]
	if len(*info.MeetingCode) != 9 || len(info.UserNonRegistered) != 1 {
		t.Fatalf("%+v", info)
	}
	id := *info.MeetingId
	if _, err := srv.AdminOK("POST", "/meetings/"+id+"/start", map[string]any{"vendor": "tencent"}); err != nil {
		t.Fatal(err)
	}
	var rt realTime
	q := url.Values{"operator_id": {"userA"}, "operator_id_type": {"1"}, "page": {"1"}, "page_size": {"20"}}
	if se := do(t, "GET", "/v1/meetings/"+id+"/real-time-participants", q, nil, &rt); se != nil {
		t.Fatal(se)
	}
	if *rt.TotalCount != 1 || *rt.Status != "MEETING_STATE_STARTED" {
		t.Fatalf("%+v", rt)
	}
	cancel := map[string]any{"userid": "userA", "instanceid": 1, "reason_code": 1}
	wantErr(t, do(t, "POST", "/v1/meetings/"+id+"/cancel", nil, cancel, nil), 500, 13602)
	dismiss := map[string]any{"operator_id": "userA", "operator_id_type": 1, "instanceid": 1, "reason_code": 1}
	if se := do(t, "POST", "/v1/meetings/"+id+"/dismiss", nil, dismiss, &map[string]any{}); se != nil {
		t.Fatal(se)
	}
	var h history
	if se := do(t, "GET", "/v1/history/meetings/userA", url.Values{"page": {"1"}, "page_size": {"20"}}, nil, &h); se != nil {
		t.Fatal(se)
	}
	if *h.TotalCount != 1 || *h.MeetingInfoList[0].MeetingId != id {
		t.Fatalf("%+v", h)
	}
}

func TestUserDirectoryChangesInviteAnswers(t *testing.T) {
	reset(t)
	out, _ := setInvitees(t, scheduled, "userA", "gouser")
	if len(out.UserNonRegistered) != 1 {
		t.Fatalf("%+v", out)
	}
	var created map[string]any
	se := do(t, "POST", "/v1/users", nil, map[string]any{
		"operator_id": "userA", "operator_id_type": 1, "userid": "gouser", "username": "Go User",
		"phone": "13600000001", "entry_time": 1700000000, "user_account_type": 1,
	}, &created)
	if se != nil {
		t.Fatal(se)
	}
	var u userDetail
	q := url.Values{"operator_id": {"userA"}, "operator_id_type": {"1"}}
	if se := do(t, "GET", "/v1/users/gouser", q, nil, &u); se != nil {
		t.Fatal(se)
	}
	if *u.Status != "1" || *u.EntryTime != "1700000000" || *u.UserAccountType != 1 {
		t.Fatalf("%+v", u)
	}
	var l userList
	q = url.Values{"page": {"1"}, "page_size": {"20"}, "operator_id": {"userA"}, "operator_id_type": {"1"}}
	if se := do(t, "GET", "/v1/users/list", q, nil, &l); se != nil {
		t.Fatal(se)
	}
	if *l.TotalCount < 7 {
		t.Fatalf("%+v", l)
	}
	out, _ = setInvitees(t, scheduled, "userA", "gouser")
	if len(out.UserNonRegistered) != 0 {
		t.Fatalf("still reported: %+v", out)
	}
	se = do(t, "POST", "/v1/users", nil, map[string]any{
		"operator_id": "userA", "operator_id_type": 1, "userid": "gouser", "username": "Again", "phone": "13600000002",
	}, nil)
	wantErr(t, se, 400, 20002)
}

func TestAWrongSecretIsSignatureFailed(t *testing.T) {
	reset(t)
	req, _ := http.NewRequest("GET", srv.Base+"/v1/meetings/"+scheduled+"/invitees?instanceid=1&userid=userA", nil)
	h := req.Header
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-TC-Key", secretID)
	h.Set("AppId", appID)
	h.Set("SdkId", sdkID)
	h.Set("X-TC-Nonce", "1")
	h.Set("X-TC-Registered", "1")
	h.Set("X-TC-Timestamp", strconv.FormatInt(time.Now().Unix(), 10))
	h.Set("X-TC-Signature", base64.StdEncoding.EncodeToString([]byte("not-a-signature")))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	want := `{"error_info":{"error_code":200003,"new_error_code":200200003,"message":"Signature failed!"}}`
	if resp.StatusCode != 500 || string(data) != want {
		t.Fatalf("%d %s", resp.StatusCode, data)
	}
}
