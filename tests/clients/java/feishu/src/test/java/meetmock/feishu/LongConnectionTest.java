package meetmock.feishu;

import static meetmock.feishu.EventsApp.allDelivered;
import static meetmock.feishu.EventsApp.count;
import static meetmock.feishu.EventsApp.lastDelivery;
import static meetmock.feishu.EventsApp.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.lark.oapi.event.EventDispatcher;
import com.lark.oapi.service.vc.VcService;
import com.lark.oapi.service.vc.v1.model.P2MeetingJoinMeetingV1;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import meetmock.feishu.EventsApp.Tenant;
import meetmock.testing.MeetmockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Feishu events over the long connection, received by the Java SDK's own
 * {@code com.lark.oapi.ws.Client} with {@code domain(meetmock)}: it discovers the endpoint, opens
 * the {@code ws://} URL it is given, pings, receives the meeting's events as pbbp2 DATA frames,
 * hands them to its {@code EventDispatcher} as typed {@code P2Meeting…V1} events and acknowledges
 * each — meetmock records every delivery as delivered with the SDK's own ACK. A connection dropped
 * through the admin API is re-established by the SDK and events flow again.
 *
 * <p>{@code ws.Client} has no close: each test has its own app (a scenario tenant), and the
 * client is stopped the way the SDK stops by itself — its endpoint call refused with a
 * credential error (a {@code ClientException}).
 */
class LongConnectionTest {
  static final String MEETING = "7000000000000000902";
  static MeetmockServer server;
  Tenant tenant;

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

  /**
   * A scenario app for one test (loaded once per server): a host and two guests who accept
   * calls, a running meeting, no reconnect jitter (the live service says 30 s) and a ping every
   * second: this SDK never answers the server's Close frame (its {@code Listener.onClosing} does
   * nothing and OkHttp leaves the answer to the app, so it stops reading), and notices a
   * connection the server closed only when its next ping fails — then it reconnects.
   */
  static Tenant tenant(String id) throws Exception {
    Tenant tn = new Tenant(id, id + "-secret", "ou_" + id + "_host", "ou_" + id + "_g1", "ou_" + id + "_g2");
    if (!server.adminOk("GET", "/tenants", null).toString().contains(id)) {
      List<Object> users = new ArrayList<>();
      for (String u : List.of(tn.host(), tn.guest1(), tn.guest2())) {
        users.add(Map.of("id", u, "name", u, "aliases", Map.of("union_id", "on" + u.substring(2))));
      }
      server.adminOk("POST", "/scenarios?name=" + id, Map.of("tenants", List.of(Map.of(
          "vendor", "feishu", "id", id, "secret", tn.secret(),
          "extra", Map.of("ws_client_config", Map.of("ReconnectNonce", 0, "ReconnectInterval", 1, "PingInterval", 1)),
          "users", users,
          "meetings", List.of(Map.of("id", MEETING, "topic", "java ws", "host", tn.host(), "state", "in_progress")),
          "behaviours", List.of(Map.of("alert", Map.of("min_ms", 500, "max_ms", 1000), "ring", 2000, "outcome", "accept"))))));
    }
    return tn;
  }

  /** The SDK's ws client with a dispatcher built with ("", ""), as the long-connection doc says. */
  EventsApp connect(Tenant tn) {
    EventsApp app = new EventsApp();
    connect(tn, app.dispatcher("", ""));
    return app;
  }

  void connect(Tenant tn, EventDispatcher dispatcher) {
    tenant = tn;
    new com.lark.oapi.ws.Client.Builder(tn.app(), tn.secret())
        .eventHandler(dispatcher)
        .domain(server.base)
        .build()
        .start();
  }

  /** Refuses the app's endpoint call with 1000040345 (the SDK then stops) and drops it. */
  @AfterEach
  void stopClient() throws Exception {
    if (tenant == null) return;
    server.adminOk("POST", "/faults", Map.of("name", "stop-" + tenant.app(), "error", "ws_app_id_or_secret_invalid",
        "match", Map.of("vendor", "feishu", "operation", "callback.ws.endpoint", "body_regex", tenant.app())));
    for (JsonObject c : connections(tenant.app())) server.adminOk("DELETE", "/connections/" + c.get("id").getAsString(), null);
    until("the SDK to be refused", () -> count(server, "/requests/count?operation=callback.ws.endpoint&code=1000040345") > 0);
  }

  static List<JsonObject> connections(String app) throws Exception {
    List<JsonObject> out = new ArrayList<>();
    for (JsonElement c : server.adminOk("GET", "/connections?vendor=feishu&tenant=" + app, null).getAsJsonArray("connections")) {
      out.add(c.getAsJsonObject());
    }
    return out;
  }

  /** Waits for a connection of the app other than {@code not}. */
  static JsonObject connected(String app, String not) throws Exception {
    JsonObject[] found = new JsonObject[1];
    until("the SDK to connect", () -> {
      for (JsonObject c : connections(app)) {
        if (!c.get("id").getAsString().equals(not)) {
          found[0] = c;
          return true;
        }
      }
      return false;
    });
    return found[0];
  }

  static void subscribe(String app) throws Exception {
    JsonObject sub = server.adminOk("POST", "/subscriptions", Map.of("vendor", "feishu", "tenant", app, "mode", "long_connection"));
    assertEquals("verified", sub.getAsJsonObject("verification").get("state").getAsString(), sub.toString());
  }

  @Test
  void theWsClientReceivesTheMeetingsTypedEventsAndAcksThem() throws Exception {
    Tenant tn = tenant("cli_java_ws_events");
    EventsApp app = connect(tn);
    JsonObject conn = connected(tn.app(), "");
    assertTrue(conn.get("target").getAsString().startsWith("/ws/v2?"), conn.toString());
    assertTrue(conn.get("label").getAsString().matches("device_id=\\d{19}"), conn.toString());
    subscribe(tn.app());
    String mid = EventsApp.runMeeting(server, tn);
    var events = app.checkMeetingEvents(server, tn, mid, "");
    assertEquals("on_cli_java_ws_events_host", events.get(0).meeting().getHostUser().getId().getUnionId());
    JsonObject a = lastDelivery(server).getAsJsonArray("attempts").get(0).getAsJsonObject();
    assertEquals(200, a.get("status").getAsInt());
    assertTrue(a.get("ok").getAsBoolean());
    assertEquals("{\"code\":200}", a.get("response").getAsString(), "the Java SDK's own ACK");
  }

  @Test
  void aDroppedConnectionIsReEstablishedByTheWsClientAndEventsFlowAgain() throws Exception {
    Tenant tn = tenant("cli_java_ws_reconnect");
    EventsApp app = connect(tn);
    JsonObject first = connected(tn.app(), "");
    subscribe(tn.app());
    server.adminOk("DELETE", "/connections/" + first.get("id").getAsString(), null);
    JsonObject second = connected(tn.app(), first.get("id").getAsString());
    assertNotEquals(first.get("label"), second.get("label"), "a new endpoint call, a new device id");
    assertTrue(count(server, "/requests/count?operation=callback.ws.endpoint") >= 2);
    server.adminOk("POST", "/meetings/" + MEETING + "/join", Map.of("vendor", "feishu", "tenant", tn.app(), "user", tn.guest1()));
    var got = app.await(1);
    assertEquals("P2MeetingJoinMeetingV1 vc.meeting.join_meeting_v1", got.get(0).type());
    assertEquals(tn.guest1(), got.get(0).operatorId());
    assertEquals(MEETING, got.get(0).meeting().getId());
    allDelivered(server, 1);
  }

  /**
   * A handler that throws makes the SDK answer the push with code 500; meetmock redelivers the
   * event (the same event_id) when the first retry falls due on the server clock, 15 s later.
   */
  @Test
  void aHandlerErrorIsAckedWith500AndRedeliveredOnTheClock() throws Exception {
    Tenant tn = tenant("cli_java_ws_retry");
    List<String> ids = Collections.synchronizedList(new ArrayList<>());
    connect(tn, EventDispatcher.newBuilder("", "").onP2MeetingJoinMeetingV1(new VcService.P2MeetingJoinMeetingV1Handler() {
      @Override
      public void handle(P2MeetingJoinMeetingV1 e) throws Exception {
        ids.add(e.getHeader().getEventId());
        if (ids.size() == 1) throw new Exception("the app's database is down");
      }
    }).build());
    connected(tn.app(), "");
    subscribe(tn.app());
    server.adminOk("POST", "/clock/freeze", Map.of());
    server.adminOk("POST", "/meetings/" + MEETING + "/join", Map.of("vendor", "feishu", "tenant", tn.app(), "user", tn.guest2()));
    JsonObject d = EventsApp.firstAttempted(server, "/events?limit=1");
    JsonObject first = d.getAsJsonArray("attempts").get(0).getAsJsonObject();
    assertEquals("pending", d.get("status").getAsString());
    assertEquals(500, first.get("status").getAsInt());
    assertEquals("{\"code\":500}", first.get("response").getAsString(), "the Java SDK's failure ACK");
    server.advance(15);
    allDelivered(server, 1);
    String id = d.get("event_id").getAsString();
    assertEquals(List.of(id, id), ids, "the same event twice");
  }
}
