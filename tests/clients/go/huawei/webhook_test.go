package huawei

// The enterprise event-push configuration through the Go SDK (SetWebHookConfig,
// ShowWebHookConfig, UpdateWebHookConfigStatus, DeleteWebHookConfig) against a meetmock that
// trusts this test's CA (--events-ca), and an HTTPS app written from Huawei's docs: it verifies
// hex(HMAC-SHA256(subscriberKey, appID+timestamp+nonce+raw eventInfo)) on every request, echoes
// meeting.verify's nonce and answers other events 200 with no body.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/meeting/v1/model"

	"meetmock.local/clients/mmserver"
)

const (
	subscriber = "1988692299"
	pushKey    = "mockSubscriberKey123"
)

// rawEventInfo is the exact text of the top-level eventInfo object in a body.
func rawEventInfo(body string) string {
	i := strings.Index(body, `"eventInfo":`)
	if i < 0 {
		return ""
	}
	rest := body[i+len(`"eventInfo":`):]
	depth, inStr, esc := 0, false, false
	for j, c := range rest {
		switch {
		case esc:
			esc = false
		case c == '\\' && inStr:
			esc = true
		case c == '"':
			inStr = !inStr
		case c == '{' && !inStr:
			depth++
		case c == '}' && !inStr:
			depth--
			if depth == 0 {
				return rest[:j+1]
			}
		}
	}
	return ""
}

// docsApp is the app's endpoint; pushes holds every verified body.
type docsApp struct {
	mu     sync.Mutex
	pushes []map[string]any
	bad    int
}

func (a *docsApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var j map[string]any
	if json.Unmarshal(raw, &j) != nil {
		w.WriteHeader(400)
		return
	}
	appID, _ := j["appID"].(string)
	nonce, _ := j["nonce"].(string)
	ts, _ := j["timestamp"].(float64)
	mac := hmac.New(sha256.New, []byte(pushKey))
	mac.Write([]byte(appID + strconv.FormatInt(int64(ts), 10) + nonce + rawEventInfo(string(raw))))
	a.mu.Lock()
	defer a.mu.Unlock()
	if hex.EncodeToString(mac.Sum(nil)) != j["signature"] || appID != subscriber {
		a.bad++
		w.WriteHeader(401)
		return
	}
	a.pushes = append(a.pushes, j)
	if ev, _ := j["eventInfo"].(map[string]any); ev["event"] == "meeting.verify" {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"event":"meeting.verify","nonce":%q}`, nonce)
		return
	}
	w.WriteHeader(200)
}

func (a *docsApp) events() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, p := range a.pushes {
		out = append(out, p["eventInfo"].(map[string]any)["event"].(string))
	}
	return out
}

// testCA makes a CA and a 127.0.0.1 leaf signed by it: (CA PEM, leaf TLS certificate).
func testCA(t *testing.T) ([]byte, tls.Certificate) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "go test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage:    x509.KeyUsageDigitalSignature,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return caPEM, tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key}
}

func TestThePushConfigurationThroughTheGoSDK(t *testing.T) {
	caPEM, leaf := testCA(t)
	dir := t.TempDir()
	caPath := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caPath, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	ev, err := mmserver.Start("--events-ca", caPath)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Stop()
	app := &docsApp{}
	rx := httptest.NewUnstartedServer(app)
	rx.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
	rx.StartTLS()
	defer rx.Close()
	url := rx.URL + "/openapi/meetingevent"
	c := client(t, ev.Base, password)
	corp := "hwcorp0001"

	// An http:// callback is refused.
	_, err = c.SetWebHookConfig(&model.SetWebHookConfigRequest{Body: &model.WebHookConfigRequest{
		CorpId: &corp, SubscriberId: subscriber, SubscriberKey: pushKey,
		Url: strings.Replace(url, "https://", "http://", 1)}})
	wantErr(t, err, 400, "MMC.111070001")

	if _, err := c.SetWebHookConfig(&model.SetWebHookConfigRequest{Body: &model.WebHookConfigRequest{
		CorpId: &corp, SubscriberId: subscriber, SubscriberKey: pushKey, Url: url}}); err != nil {
		t.Fatal(err)
	}
	shown, err := c.ShowWebHookConfig(&model.ShowWebHookConfigRequest{CorpId: &corp})
	if err != nil {
		t.Fatal(err)
	}
	if shown.Id == nil || len(*shown.Id) != 32 || *shown.SubscriberId != subscriber || *shown.Url != url || *shown.Status != 1 {
		t.Fatalf("shown %+v", shown)
	}
	if _, err := c.UpdateWebHookConfigStatus(&model.UpdateWebHookConfigStatusRequest{Id: *shown.Id, Status: 0}); err != nil {
		t.Fatal(err)
	}
	if got := app.events(); len(got) != 1 || got[0] != "meeting.verify" {
		t.Fatalf("want one verified meeting.verify, got %v (bad %d)", got, app.bad)
	}
	shown, _ = c.ShowWebHookConfig(&model.ShowWebHookConfigRequest{CorpId: &corp})
	if *shown.Status != 0 {
		t.Fatalf("not enabled: %+v", shown)
	}
	// A join in the running demo meeting is pushed, signed, to the app.
	if _, err := ev.AdminOK("POST", "/meetings/914673889/join", map[string]any{"vendor": "huawei", "user": "alice@hwcorp"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(app.events()) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := app.events(); len(got) != 2 || got[1] != "meeting.join" || app.bad != 0 {
		t.Fatalf("want the join pushed and verified, got %v (bad %d)", got, app.bad)
	}
	if _, err := c.UpdateWebHookConfigStatus(&model.UpdateWebHookConfigStatusRequest{Id: *shown.Id, Status: 1}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateWebHookConfigStatus(&model.UpdateWebHookConfigStatusRequest{Id: *shown.Id, Status: 7})
	wantErr(t, err, 400, "MMC.111070001")
	if _, err := c.DeleteWebHookConfig(&model.DeleteWebHookConfigRequest{Id: *shown.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteWebHookConfig(&model.DeleteWebHookConfigRequest{Id: *shown.Id})
	wantErr(t, err, 400, "MMC.111070005")
	shown, err = c.ShowWebHookConfig(&model.ShowWebHookConfigRequest{CorpId: &corp})
	if err != nil || shown.Id != nil {
		t.Fatalf("want nothing configured, got %+v %v", shown, err)
	}
}
