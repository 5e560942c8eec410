package mmserver

import "testing"

func TestTheBinaryStartsOnAFreePortAndAnswersHealth(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	body, err := s.AdminOK("GET", "/health", nil)
	if err != nil {
		t.Fatal(err)
	}
	if body["status"] != "ok" {
		t.Fatalf("health: %v", body)
	}
}
