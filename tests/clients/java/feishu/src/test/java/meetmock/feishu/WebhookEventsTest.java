package meetmock.feishu;

import static meetmock.feishu.EventsApp.DEMO;
import static meetmock.feishu.EventsApp.allDelivered;
import static meetmock.feishu.EventsApp.count;
import static meetmock.feishu.EventsApp.lastDelivery;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.lark.oapi.core.request.EventReq;
import com.lark.oapi.core.response.EventResp;
import com.lark.oapi.event.EventDispatcher;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import meetmock.testing.MeetmockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Feishu VC event callbacks (webhooks) consumed by the Java SDK's own {@code EventDispatcher},
 * behind a small {@code com.sun.net.httpserver} adapter doing what the SDK's servlet extension
 * does (request → {@code EventReq}, {@code EventResp} → response), in a local server the test
 * starts. meetmock answers the URL challenge through it when the subscription is set, then
 * delivers a meeting driven through the SDK's VC API and the living invite, plain or encrypted
 * and signed; the SDK parses each into its typed {@code P2Meeting…V1}. The Java dispatcher reads
 * headers by lower-cased name, checks the signature, and checks the Verification Token only on
 * the URL challenge.
 */
class WebhookEventsTest {
  static final String VT = "java-verification-token";
  static final String EK = "java-encrypt-key";
  static MeetmockServer server;

  @BeforeAll
  static void start() throws Exception {
    server = MeetmockServer.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  @BeforeEach
  void reset() throws Exception {
    server.reset();
  }

  /** The app's event URL; its dispatcher can be replaced while it runs (the app redeployed). */
  static final class Endpoint implements AutoCloseable {
    final EventsApp app = new EventsApp();
    final List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
    final HttpServer http;
    final String url;
    volatile EventDispatcher dispatcher;

    Endpoint(String token, String encryptKey) throws IOException {
      configure(token, encryptKey);
      http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      http.createContext("/webhook/event", this::serve);
      http.start();
      url = "http://127.0.0.1:" + http.getAddress().getPort() + "/webhook/event";
    }

    void configure(String token, String encryptKey) {
      dispatcher = app.dispatcher(token, encryptKey);
    }

    /** The adapter: headers keyed in lower case (how {@code EventReq} looks them up). */
    void serve(HttpExchange ex) throws IOException {
      EventReq req = new EventReq();
      Map<String, List<String>> headers = new HashMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
      req.setHeaders(headers);
      req.setBody(ex.getRequestBody().readAllBytes());
      req.setHttpPath(ex.getRequestURI().getPath());
      EventResp resp;
      try {
        resp = dispatcher.handle(req);
      } catch (Throwable t) {
        resp = new EventResp();
        resp.setStatusCode(500);
        resp.setBody(String.valueOf(t).getBytes(StandardCharsets.UTF_8));
      }
      resp.getHeaders().forEach((k, v) -> ex.getResponseHeaders().put(k, v));
      byte[] body = resp.getBody() == null ? new byte[0] : resp.getBody();
      statuses.add(resp.getStatusCode());
      ex.sendResponseHeaders(resp.getStatusCode(), body.length == 0 ? -1 : body.length);
      ex.getResponseBody().write(body);
      ex.close();
    }

    @Override
    public void close() {
      http.stop(0);
    }
  }

  static JsonObject subscribe(String url, String encryptKey, Map<String, Object> extra) throws Exception {
    Map<String, Object> body = new HashMap<>(Map.of("vendor", "feishu", "tenant", DEMO.app(), "url", url,
        "verification_token", VT));
    if (encryptKey != null) body.put("encrypt_key", encryptKey);
    body.putAll(extra);
    return server.adminOk("POST", "/subscriptions", body);
  }

  static String state(JsonObject sub) {
    return sub.getAsJsonObject("verification").get("state").getAsString();
  }

  static void admin(String meeting, String action, String user) throws Exception {
    Map<String, Object> body = new HashMap<>(Map.of("vendor", "feishu"));
    if (user != null) body.put("user", user);
    server.adminOk("POST", "/meetings/" + meeting + "/" + action, body);
  }

  @Test
  void plainEventsReachTheDispatcherAsTypedEvents() throws Exception {
    try (Endpoint e = new Endpoint(VT, "")) {
      assertEquals("verified", state(subscribe(e.url, null, Map.of())), "the SDK answered the challenge");
      String mid = EventsApp.runMeeting(server, DEMO);
      var events = e.app.checkMeetingEvents(server, DEMO, mid, VT);
      var host = events.get(0).meeting().getHostUser();
      assertEquals("on_host_0001", host.getId().getUnionId());
      assertEquals(2, host.getUserRole());
      assertTrue(e.statuses.stream().allMatch(s -> s == 200), e.statuses.toString());
    }
  }

  @Test
  void encryptedAndSignedEventsReachTheDispatcher() throws Exception {
    try (Endpoint e = new Endpoint(VT, EK)) {
      assertEquals("verified", state(subscribe(e.url, EK, Map.of())), "the encrypted challenge");
      String mid = EventsApp.runMeeting(server, DEMO);
      e.app.checkMeetingEvents(server, DEMO, mid, VT);
      JsonObject req = lastDelivery(server).getAsJsonArray("attempts").get(0).getAsJsonObject().getAsJsonObject("request");
      for (String h : List.of("X-Lark-Request-Timestamp", "X-Lark-Request-Nonce", "X-Lark-Signature")) {
        assertNotNull(req.getAsJsonObject("headers").get(h), h);
      }
      assertTrue(req.get("body").getAsString().startsWith("{\"encrypt\":\""));
    }
  }

  @Test
  void aDispatcherWithAnotherTokenRefusesTheChallengeUntilTheAppIsFixed() throws Exception {
    try (Endpoint e = new Endpoint("another-token", "")) {
      JsonObject sub = subscribe(e.url, null, Map.of());
      JsonObject v = sub.getAsJsonObject("verification");
      assertEquals("failed", v.get("state").getAsString());
      assertTrue(v.get("error").getAsString().contains("HTTP 500"), v.toString());
      assertEquals(List.of(500), e.statuses);
      admin("6911188411934973028", "start", null);
      assertEquals(0, count(server, "/events/count"), "no events to a subscription that failed its check");
      // The app is redeployed with the right token; the check is run again.
      e.configure(VT, "");
      JsonObject again = server.adminOk("POST", "/subscriptions/" + sub.get("id").getAsString() + "/verify", Map.of());
      assertEquals("verified", state(again));
      admin("7000000000000000028", "join", "ou_guest_0003");
      var got = e.app.await(1);
      assertEquals("P2MeetingJoinMeetingV1 vc.meeting.join_meeting_v1", got.get(0).type());
      assertEquals("ou_guest_0003", got.get(0).operatorId());
      allDelivered(server, 1);
    }
  }

  /**
   * The Java dispatcher compares the Verification Token only on the URL challenge (Python's
   * refuses any event whose header.token differs): a subscription that skipped the check
   * ({@code verify: false}, as scenario subscriptions do) is served even with another token.
   */
  @Test
  void theJavaDispatcherChecksTheTokenOnlyOnTheChallenge() throws Exception {
    try (Endpoint e = new Endpoint("another-token", "")) {
      assertEquals("unchecked", state(subscribe(e.url, null, Map.of("verify", false))));
      admin("7000000000000000028", "join", "ou_guest_0004");
      assertEquals(VT, e.app.await(1).get(0).header().getToken());
      allDelivered(server, 1);
    }
  }

  @Test
  void aCorruptedSignatureIsRefusedByTheDispatcherThenRetriedOnTheClock() throws Exception {
    try (Endpoint e = new Endpoint(VT, EK)) {
      server.adminOk("POST", "/clock/freeze", Map.of());
      server.adminOk("POST", "/faults", Map.of("name", "bad-signature", "target", "delivery",
          "delivery", "corrupt_signature", "when", Map.of("first", 1),
          "match", Map.of("vendor", "feishu", "event_type", "vc.meeting.join_meeting_v1")));
      assertEquals("verified", state(subscribe(e.url, EK, Map.of())));
      admin("7000000000000000028", "join", "ou_guest_0001");
      JsonObject d = EventsApp.firstAttempted(server, "/events?type=vc.meeting.join_meeting_v1");
      JsonObject first = d.getAsJsonArray("attempts").get(0).getAsJsonObject();
      assertEquals(500, first.get("status").getAsInt());
      assertEquals("pending", d.get("status").getAsString());
      assertTrue(first.get("response").getAsString().contains("signature"), first.toString());
      assertTrue(e.app.seen.isEmpty(), "a refused event reached a handler");
      server.advance(15); // the first retry is due 15 s later
      var got = e.app.await(1);
      assertEquals("P2MeetingJoinMeetingV1", got.get(0).kind());
      assertEquals(d.get("event_id").getAsString(), got.get(0).header().getEventId(), "the retry has the same event id");
      allDelivered(server, 1);
      assertEquals(List.of(200, 500, 200), e.statuses, "challenge, refusal, retry");
    }
  }
}
