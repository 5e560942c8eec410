// Package mmserver starts the built meetmock binary for a Go test package and wraps its admin
// API. The binary is $MEETMOCK_BIN, else $CARGO_TARGET_DIR/debug/meetmock, else
// <repo>/target/debug/meetmock. With $MEETMOCK_URL set nothing is started: the tests attach to
// that server ($MEETMOCK_CERT names its certificate).
package mmserver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"time"
)

// Server is one running meetmock.
type Server struct {
	Port       int
	Host       string // 127.0.0.1:port
	Base       string // http://127.0.0.1:port
	HTTPSBase  string // https://127.0.0.1:port
	CertPath   string
	AdminToken string
	cmd        *exec.Cmd
	dir        string
}

func init() {
	for _, v := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"} {
		os.Unsetenv(v)
	}
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", "..", ".."))
}

func binary() string {
	if b := os.Getenv("MEETMOCK_BIN"); b != "" {
		return b
	}
	target := os.Getenv("CARGO_TARGET_DIR")
	if target == "" {
		target = filepath.Join(repoRoot(), "target")
	}
	return filepath.Join(target, "debug", "meetmock")
}

var listening = regexp.MustCompile(`listening on http://127\.0\.0\.1:(\d+)`)

// Start runs meetmock with extra `serve` flags (or attaches to $MEETMOCK_URL).
func Start(args ...string) (*Server, error) {
	if u := os.Getenv("MEETMOCK_URL"); u != "" {
		parsed, err := url.Parse(u)
		if err != nil {
			return nil, err
		}
		port, _ := strconv.Atoi(parsed.Port())
		return newServer(port, os.Getenv("MEETMOCK_CERT"), os.Getenv("MEETMOCK_ADMIN_TOKEN")), nil
	}
	bin := binary()
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("meetmock binary not found at %s: build it first (cargo build)", bin)
	}
	dir, err := os.MkdirTemp("", "meetmock-go-")
	if err != nil {
		return nil, err
	}
	cert := filepath.Join(dir, "cert.pem")
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--write-cert", cert}, args...)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	found := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() { // keeps draining after the banner so the server never blocks
			if m := listening.FindStringSubmatch(sc.Text()); m != nil && !sent {
				p, _ := strconv.Atoi(m[1])
				found <- p
				sent = true
			}
		}
	}()
	select {
	case p := <-found:
		s := newServer(p, cert, "")
		s.cmd, s.dir = cmd, dir
		return s, nil
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("meetmock did not start within 20 s")
	}
}

func newServer(port int, cert, token string) *Server {
	return &Server{
		Port: port, Host: fmt.Sprintf("127.0.0.1:%d", port),
		Base: fmt.Sprintf("http://127.0.0.1:%d", port), HTTPSBase: fmt.Sprintf("https://127.0.0.1:%d", port),
		CertPath: cert, AdminToken: token,
	}
}

// Stop ends the process (SIGTERM, then kill after 10 s) and removes its files.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
		}
	}
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}

// Admin calls /__admin{path} with a JSON body (nil for none) and decodes the JSON answer.
func (s *Server) Admin(method, path string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.Base+"/__admin"+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.AdminToken != "" {
		req.Header.Set("Authorization", "Bearer "+s.AdminToken)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out)
	}
	return resp.StatusCode, out, nil
}

// AdminOK is Admin that fails unless the answer is 200.
func (s *Server) AdminOK(method, path string, body any) (map[string]any, error) {
	status, out, err := s.Admin(method, path, body)
	if err != nil {
		return nil, err
	}
	if status != 200 {
		return nil, fmt.Errorf("admin %s %s: %d %v", method, path, status, out)
	}
	return out, nil
}

// Reset returns the server to its loaded scenarios.
func (s *Server) Reset() error { _, err := s.AdminOK("POST", "/reset", nil); return err }

// Advance moves the server clock forward.
func (s *Server) Advance(seconds float64) error {
	_, err := s.AdminOK("POST", "/clock/advance", map[string]any{"seconds": seconds})
	return err
}
