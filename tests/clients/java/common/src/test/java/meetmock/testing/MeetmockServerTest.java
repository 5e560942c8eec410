package meetmock.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MeetmockServerTest {
  @Test
  void theBinaryStartsOnAFreePortAndAnswersHealth() throws Exception {
    try (MeetmockServer s = MeetmockServer.start()) {
      MeetmockServer.AdminAnswer a = s.admin("GET", "/health", null);
      assertEquals(200, a.status());
      assertEquals("ok", a.body().get("status").getAsString());
    }
  }
}
