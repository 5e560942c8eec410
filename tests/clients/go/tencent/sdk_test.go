// Package tencent drives meetmock's Tencent Meeting API with a Go client that puts requests on
// the wire the way the official Go SDK does and decodes answers into structs typed like that
// SDK's models. IT IS NOT THE SDK: github.com/TencentCloud/wemeet-openapi-sdk-go cannot be
// installed here (the Go module proxy this project uses answers 403 for every version of it),
// so it cannot be pinned in go.mod. What follows restates its wire behaviour from its source
// (v1.0.8: core/authenticator.go, core/xhttp/client.go, core/xhttp/request.go, core/errors.go,
// the service models):
//
//   - URL: path params substituted, query from url.Values.Encode() (keys sorted); the signed
//     request-target is req.URL.RequestURI();
//   - body: a model struct through encoding/json (field order of the struct, `omitempty` on
//     optional fields, but not on e.g. guests: a nil slice is sent as null); no body at all on
//     GET and DELETE, signed as "";
//   - headers, in the JWTAuthenticator's order: Content-Type "application/json; charset=utf-8"
//     (every method), X-TC-Key, AppId, SdkId (always, empty when unset), X-TC-Nonce (unix ms ×
//     10^6 + 6 random digits, a uint64), X-TC-Registered "1", X-TC-Timestamp, X-TC-Signature =
//     base64(hex(HMAC-SHA256(SecretKey, METHOD\nX-TC-Key=…&X-TC-Nonce=…&X-TC-Timestamp=…\n
//     target\nbody))); then User-Agent "openapi-sdk-go/v1.0.8" (the VersionAuthenticator);
//   - the authenticator has value receivers: a reused one draws a new nonce and timestamp per
//     call unless the caller set Nonce/Timestamp/Signature (which is how the replay and skew
//     tests below fix them, as a user of the SDK can);
//   - an answer ≥ 300 is a ServiceError whose ErrorInfo is {error_code, new_error_code,
//     message} with int64 codes; a 2xx is decoded into the response model (pointers, int64,
//     times typed as the models type them).
//
// The timestamp is taken from meetmock's server clock (the SDK takes time.Now(); the two agree
// until a test moves the server clock).
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
	appID      = "211000001"
	sdkID      = "28370000001"
	secretID   = "AKIDmeetmockDemoSecretId0001"
	secretKey  = "meetmockDemoSecretKey0001"
	scheduled  = "5417310002754750436"
	running    = "5417310002754750437"
	sdkVersion = "v1.0.8"
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

// jwt mirrors wemeetcore.JWTAuthenticator plus the Config it reads: zero fields are filled per
// request, as the SDK does.
type jwt struct {
	AppID, SdkID, SecretID, SecretKey string
	Nonce                             uint64
	Timestamp                         string
	Signature                         string
}

func demo() jwt {
	return jwt{AppID: appID, SdkID: sdkID, SecretID: secretID, SecretKey: secretKey}
}

// serviceError mirrors wemeetcore.ServiceError.
type serviceError struct {
	Status    int
	RawBody   string
	ErrorInfo *struct {
		ErrorCode    int64  `json:"error_code"`
		NewErrorCode int64  `json:"new_error_code"`
		Message      string `json:"message"`
	} `json:"error_info"`
}

func (e *serviceError) Error() string { return fmt.Sprintf("%d %s", e.Status, e.RawBody) }

var nonces = rand.New(rand.NewSource(time.Now().UnixNano()))

func serverNow(t *testing.T) int64 {
	_, admin, err := srv.Admin("GET", "/clock", nil)
	if err != nil {
		t.Fatal(err)
	}
	return int64(admin["now_ms"].(float64)) / 1000
}

// send puts one request on the wire as the Go SDK does and decodes a 2xx into out.
func send(t *testing.T, a jwt, method, path string, query url.Values, body any, out any) *serviceError {
	t.Helper()
	u := srv.Base + path
	if enc := query.Encode(); enc != "" {
		u += "?" + enc
	}
	var raw []byte
	var reader io.Reader
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, u, reader)
	if err != nil {
		t.Fatal(err)
	}
	if a.Nonce == 0 {
		a.Nonce = uint64(time.Now().UnixMilli())*1000000 + uint64(nonces.Intn(1000000))
	}
	if a.Timestamp == "" {
		a.Timestamp = strconv.FormatInt(serverNow(t), 10)
	}
	if a.Signature == "" {
		a.Signature = sign(a, method, req.URL.RequestURI(), string(raw))
	}
	h := req.Header
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-TC-Key", a.SecretID)
	h.Set("AppId", a.AppID)
	h.Set("SdkId", a.SdkID)
	h.Set("X-TC-Nonce", fmt.Sprint(a.Nonce))
	h.Set("X-TC-Registered", "1")
	h.Set("X-TC-Timestamp", a.Timestamp)
	h.Set("X-TC-Signature", a.Signature)
	h.Set("User-Agent", "openapi-sdk-go/"+sdkVersion)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		se := &serviceError{Status: resp.StatusCode, RawBody: string(data)}
		if err := json.Unmarshal(data, se); err != nil || se.ErrorInfo == nil {
			t.Fatalf("an error body the SDK cannot read: %d %s", resp.StatusCode, data)
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

func sign(a jwt, method, target, body string) string {
	s := fmt.Sprintf("%s\nX-TC-Key=%s&X-TC-Nonce=%d&X-TC-Timestamp=%s\n%s\n%s",
		method, a.SecretID, a.Nonce, a.Timestamp, target, body)
	mac := hmac.New(sha256.New, []byte(a.SecretKey))
	mac.Write([]byte(s))
	return base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(mac.Sum(nil))))
}

// do sends with the demo app's credentials.
func do(t *testing.T, method, path string, query url.Values, body any, out any) *serviceError {
	t.Helper()
	return send(t, demo(), method, path, query, body, out)
}

func ok(t *testing.T, se *serviceError) {
	t.Helper()
	if se != nil {
		t.Fatal(se)
	}
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

func wantText(t *testing.T, se *serviceError, status int, code int64, text string) {
	t.Helper()
	wantErr(t, se, status, code)
	if se.ErrorInfo.Message != text {
		t.Fatalf("message %q, want %q", se.ErrorInfo.Message, text)
	}
}

func reset(t *testing.T) {
	t.Helper()
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
}

func join(t *testing.T, id, user string) {
	t.Helper()
	if _, err := srv.AdminOK("POST", "/meetings/"+id+"/join", map[string]any{"vendor": "tencent", "user": user}); err != nil {
		t.Fatal(err)
	}
}

func op(user string) url.Values {
	return url.Values{"operator_id": {user}, "operator_id_type": {"1"}}
}

func ptr[T any](v T) *T { return &v }
