package tencent

// The signing gateway as the Go SDK meets it: sorted query keys signed as sent, another order
// signed as sent, tampered bodies, the ±300 s window, replays (fixed Nonce and Timestamp, as an
// SDK user may set them), wrong SecretKey, SdkId or AppId, and the texts the vendor documents.

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

const q = "/v1/meetings/" + scheduled

func TestSortedQueryKeysAreSignedAsSent(t *testing.T) {
	reset(t)
	query := url.Values{"operator_id": {"userA"}, "operator_id_type": {"1"}, "instanceid": {"1"}}
	var m meetings
	ok(t, do(t, "GET", q, query, nil, &m))
	if *m.MeetingInfoList[0].Status != "MEETING_STATE_INIT" {
		t.Fatalf("%+v", m.MeetingInfoList[0])
	}
	// Another client's order, signed as sent, is as good.
	ok(t, do(t, "GET", q+"?operator_id=userA&instanceid=1&operator_id_type=1", nil, nil, &m))
}

func TestSigningAnotherQueryOrderThanTheOneSentFails(t *testing.T) {
	reset(t)
	a := demo()
	a.Nonce, a.Timestamp = 777, strconv.FormatInt(serverNow(t), 10)
	a.Signature = sign(a, "GET", q+"?instanceid=1&operator_id=userA&operator_id_type=1", "")
	se := send(t, a, "GET", q+"?operator_id=userA&operator_id_type=1&instanceid=1", nil, nil, nil)
	wantText(t, se, 500, 200003, "Signature failed!")
}

func TestATamperedBodyFailsAndChangesNothing(t *testing.T) {
	reset(t)
	a := demo()
	a.Nonce, a.Timestamp = 778, strconv.FormatInt(serverNow(t), 10)
	a.Signature = sign(a, "PUT", "/v1/meetings/"+scheduled+"/invitees", `{"instanceid":1,"userid":"userA"}`)
	body := inviteesBody{Instanceid: 1, Invitees: []userRef{{"userB"}}, Userid: "userA"}
	wantErr(t, send(t, a, "PUT", "/v1/meetings/"+scheduled+"/invitees", nil, body, nil), 500, 200003)
	if got := listAll(t, scheduled); len(got) != 0 {
		t.Fatalf("changed: %v", got)
	}
}

func TestTheTimestampWindowIsFiveMinutes(t *testing.T) {
	reset(t)
	query := url.Values{"operator_id": {"userA"}, "operator_id_type": {"1"}, "instanceid": {"1"}}
	for _, c := range []struct {
		skew int64
		ok   bool
	}{{-299, true}, {299, true}, {-301, false}, {301, false}} {
		a := demo()
		a.Timestamp = strconv.FormatInt(serverNow(t)+c.skew, 10)
		se := send(t, a, "GET", q, query, nil, nil)
		if c.ok {
			ok(t, se)
			continue
		}
		wantText(t, se, 400, 190300, "API 请求头里的时间戳参数 X-TC-Timestamp 取值与服务器当前时间差距超过5分钟，视为非法请求。")
	}
}

func TestAReplayedNonceAndTimestampIs190301(t *testing.T) {
	reset(t)
	a := demo()
	a.Nonce, a.Timestamp = 1795246405478919135, strconv.FormatInt(serverNow(t), 10)
	query := url.Values{"userid": {"userA"}, "instanceid": {"1"}}
	ok(t, send(t, a, "GET", "/v1/meetings/"+scheduled+"/invitees", query, nil, nil))
	se := send(t, a, "GET", "/v1/meetings/"+scheduled+"/invitees", query, nil, nil)
	wantText(t, se, 400, 190301, "请求重放错误，请求头里的 X-TC-Timestamp 和 X-TC-Nonce 每次请求时需重新生成，不能使用和过去五分钟内相同的 timestamp 和 nonce。")
	// A reused authenticator without fixed fields draws a new nonce: no replay.
	b := demo()
	ok(t, send(t, b, "GET", "/v1/meetings/"+scheduled+"/invitees", query, nil, nil))
	ok(t, send(t, b, "GET", "/v1/meetings/"+scheduled+"/invitees", query, nil, nil))
}

const text190303 = "未认证的 secret 信息，请检查请求头公共参数里字段 AppId 和 X-TC-Key 内容是否正确。字段 SdkId 如未分配不要携带。"

func TestAWrongKeySdkIdOrAppIdIsRefused(t *testing.T) {
	reset(t)
	query := url.Values{"userid": {"userA"}, "instanceid": {"1"}}
	path := "/v1/meetings/" + scheduled + "/invitees"
	wrongKey := demo()
	wrongKey.SecretKey = "wrong"
	wantText(t, send(t, wrongKey, "GET", path, query, nil, nil), 500, 200003, "Signature failed!")
	for _, spoil := range []func(*jwt){
		func(a *jwt) { a.SdkID = "1" },
		func(a *jwt) { a.SdkID = "" }, // the SDK sends "SdkId: " when none is configured
		func(a *jwt) { a.AppID = "999" },
		func(a *jwt) { a.SecretID = "AKIDunknown" },
	} {
		a := demo()
		spoil(&a)
		se := send(t, a, "GET", path, query, nil, nil)
		wantText(t, se, 400, 190303, text190303)
		if se.ErrorInfo.NewErrorCode != 200190303 {
			t.Fatalf("%+v", se.ErrorInfo)
		}
	}
}

func TestAWrongSignatureHasTheExactEnvelope(t *testing.T) {
	reset(t)
	req, _ := http.NewRequest("GET", srv.Base+"/v1/meetings/"+scheduled+"/invitees?instanceid=1&userid=userA", nil)
	h := req.Header
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-TC-Key", secretID)
	h.Set("AppId", appID)
	h.Set("SdkId", sdkID)
	h.Set("X-TC-Nonce", "1")
	h.Set("X-TC-Registered", "1")
	h.Set("X-TC-Timestamp", strconv.FormatInt(serverNow(t), 10))
	h.Set("X-TC-Signature", "bm90LWEtc2lnbmF0dXJl")
	h.Set("User-Agent", "openapi-sdk-go/"+sdkVersion)
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
