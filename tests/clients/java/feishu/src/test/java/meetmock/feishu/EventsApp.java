package meetmock.feishu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.lark.oapi.Client;
import com.lark.oapi.core.request.EventReq;
import com.lark.oapi.core.request.RequestOptions;
import com.lark.oapi.core.utils.Jsons;
import com.lark.oapi.event.CustomEventHandler;
import com.lark.oapi.event.EventDispatcher;
import com.lark.oapi.event.model.Header;
import com.lark.oapi.service.authen.v1.model.CreateOidcAccessTokenReq;
import com.lark.oapi.service.authen.v1.model.CreateOidcAccessTokenReqBody;
import com.lark.oapi.service.vc.VcService;
import com.lark.oapi.service.vc.v1.model.*;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import meetmock.testing.MeetmockServer;

/**
 * What an app built on the Java SDK makes of meetmock's Feishu events, shared by the webhook
 * ({@link WebhookEventsTest}) and long-connection ({@link LongConnectionTest}) tests: one
 * {@code EventDispatcher} with a handler for every VC meeting event, recording the typed events
 * it is handed; the meeting they come from, driven through the SDK's own VC API and the living
 * invite; and the checks on what arrived.
 */
final class EventsApp {
  /** One event as a handler saw it: the SDK's class and the parsed fields. */
  record Got(String kind, Header header, MeetingEventMeeting meeting, MeetingEventUser operator,
      MeetingEventUser leaveUser, Integer leaveReason, List<String> subscribers) {
    String type() {
      return kind + " " + header.getEventType();
    }

    String operatorId() {
      return openId(operator);
    }
  }

  /** The app a meeting runs in: credentials, host and two guests who accept calls. */
  record Tenant(String app, String secret, String host, String guest1, String guest2) {}

  static final Tenant DEMO = new Tenant("cli_demo_feishu", "demo_feishu_secret", "ou_host_0001",
      "ou_guest_0001", "ou_guest_0002");

  /** The meeting's events in delivery order, by the class they arrive as. */
  static final List<String> EXPECTED = List.of(
      "P2MeetingStartedV1 vc.meeting.meeting_started_v1",
      "P2MeetingAllMeetingStartedV1 vc.meeting.all_meeting_started_v1",
      "P2MeetingJoinMeetingV1 vc.meeting.join_meeting_v1", // the host
      "P2MeetingJoinMeetingV1 vc.meeting.join_meeting_v1", // the guests, as they answer
      "P2MeetingJoinMeetingV1 vc.meeting.join_meeting_v1",
      "P2MeetingLeaveMeetingV1 vc.meeting.leave_meeting_v1", // guest 1 left: 1
      "P2MeetingLeaveMeetingV1 vc.meeting.leave_meeting_v1", // guest 2 kicked out: 3
      "P2MeetingLeaveMeetingV1 vc.meeting.leave_meeting_v1", // the host at the end: 2
      "P2MeetingEndedV1 vc.meeting.meeting_ended_v1",
      "P2MeetingAllMeetingEndedV1 vc.meeting.all_meeting_ended_v1",
      "EventReq vc.meeting.participant_meeting_ended_v1");

  final List<Got> seen = Collections.synchronizedList(new ArrayList<>());

  static String openId(MeetingEventUser u) {
    return u == null || u.getId() == null ? null : u.getId().getOpenId();
  }

  private void record(Object e, Header h, MeetingEventMeeting m, MeetingEventUser op) {
    seen.add(new Got(e.getClass().getSimpleName(), h, m, op, null, null, List.of()));
  }

  /**
   * The SDK's EventDispatcher with a handler for every VC meeting event. oapi-sdk 2.5.3 has no
   * model for {@code vc.meeting.participant_meeting_ended_v1}: it is taken as a customized event,
   * whose {@code EventReq} carries the decrypted JSON in {@code getPlain()} over a webhook but
   * only in {@code getBody()} over the long connection.
   */
  EventDispatcher dispatcher(String token, String encryptKey) {
    return EventDispatcher.newBuilder(token, encryptKey)
        .onP2MeetingStartedV1(new VcService.P2MeetingStartedV1Handler() {
          @Override
          public void handle(P2MeetingStartedV1 e) {
            record(e, e.getHeader(), e.getEvent().getMeeting(), e.getEvent().getOperator());
          }
        })
        .onP2MeetingAllMeetingStartedV1(new VcService.P2MeetingAllMeetingStartedV1Handler() {
          @Override
          public void handle(P2MeetingAllMeetingStartedV1 e) {
            record(e, e.getHeader(), e.getEvent().getMeeting(), e.getEvent().getOperator());
          }
        })
        .onP2MeetingJoinMeetingV1(new VcService.P2MeetingJoinMeetingV1Handler() {
          @Override
          public void handle(P2MeetingJoinMeetingV1 e) {
            record(e, e.getHeader(), e.getEvent().getMeeting(), e.getEvent().getOperator());
          }
        })
        .onP2MeetingLeaveMeetingV1(new VcService.P2MeetingLeaveMeetingV1Handler() {
          @Override
          public void handle(P2MeetingLeaveMeetingV1 e) {
            var d = e.getEvent();
            seen.add(new Got(e.getClass().getSimpleName(), e.getHeader(), d.getMeeting(), d.getOperator(),
                d.getLeaveUser(), d.getLeaveReason(), List.of()));
          }
        })
        .onP2MeetingEndedV1(new VcService.P2MeetingEndedV1Handler() {
          @Override
          public void handle(P2MeetingEndedV1 e) {
            record(e, e.getHeader(), e.getEvent().getMeeting(), e.getEvent().getOperator());
          }
        })
        .onP2MeetingAllMeetingEndedV1(new VcService.P2MeetingAllMeetingEndedV1Handler() {
          @Override
          public void handle(P2MeetingAllMeetingEndedV1 e) {
            record(e, e.getHeader(), e.getEvent().getMeeting(), e.getEvent().getOperator());
          }
        })
        .onP2MeetingRecordingStartedV1(new VcService.P2MeetingRecordingStartedV1Handler() {
          @Override
          public void handle(P2MeetingRecordingStartedV1 e) {
            record(e, e.getHeader(), e.getEvent().getMeeting(), e.getEvent().getOperator());
          }
        })
        .onP2MeetingRecordingEndedV1(new VcService.P2MeetingRecordingEndedV1Handler() {
          @Override
          public void handle(P2MeetingRecordingEndedV1 e) {
            record(e, e.getHeader(), e.getEvent().getMeeting(), e.getEvent().getOperator());
          }
        })
        .onP2MeetingRecordingReadyV1(new VcService.P2MeetingRecordingReadyV1Handler() {
          @Override
          public void handle(P2MeetingRecordingReadyV1 e) {
            record(e, e.getHeader(), e.getEvent().getMeeting(), null);
          }
        })
        .onP2MeetingShareStartedV1(new VcService.P2MeetingShareStartedV1Handler() {
          @Override
          public void handle(P2MeetingShareStartedV1 e) {
            record(e, e.getHeader(), e.getEvent().getMeeting(), e.getEvent().getOperator());
          }
        })
        .onP2MeetingShareEndedV1(new VcService.P2MeetingShareEndedV1Handler() {
          @Override
          public void handle(P2MeetingShareEndedV1 e) {
            record(e, e.getHeader(), e.getEvent().getMeeting(), e.getEvent().getOperator());
          }
        })
        .onCustomizedEvent("vc.meeting.participant_meeting_ended_v1", new CustomEventHandler() {
          @Override
          public void handle(EventReq req) {
            String plain = req.getPlain() != null ? req.getPlain() : new String(req.getBody(), StandardCharsets.UTF_8);
            JsonObject o = Jsons.DEFAULT.fromJson(plain, JsonObject.class);
            JsonObject ev = o.getAsJsonObject("event");
            List<String> ids = new ArrayList<>();
            for (var id : ev.getAsJsonArray("subscriber_ids")) ids.add(id.getAsJsonObject().get("open_id").getAsString());
            Collections.sort(ids);
            seen.add(new Got(req.getClass().getSimpleName(), Jsons.DEFAULT.fromJson(o.get("header"), Header.class),
                Jsons.DEFAULT.fromJson(ev.get("meeting"), MeetingEventMeeting.class),
                Jsons.DEFAULT.fromJson(ev.get("operator"), MeetingEventUser.class), null, null, ids));
          }
        })
        .build();
  }

  /** Checks that must hold before a deadline (waiting for a delivery, never for the clock). */
  interface Check {
    boolean ok() throws Exception;
  }

  static void until(String what, Check check) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    while (!check.ok()) {
      if (System.currentTimeMillis() > deadline) fail("timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  List<Got> await(int n) throws Exception {
    until(n + " events (have " + types() + ")", () -> seen.size() >= n);
    return List.copyOf(seen);
  }

  List<String> types() {
    synchronized (seen) {
      return seen.stream().map(Got::type).collect(Collectors.toList());
    }
  }

  /**
   * Reserve (SDK) → start (admin: the reserve opens a meeting) → invite both guests (SDK) →
   * they ring and accept as the server clock advances (the living invite) → guest 1 leaves
   * (admin) → guest 2 is kicked out (SDK) → the host ends it (SDK). Returns the meeting id.
   */
  static String runMeeting(MeetmockServer server, Tenant tn) throws Exception {
    server.adminOk("POST", "/clock/freeze", Map.of());
    Client c = Client.newBuilder(tn.app(), tn.secret()).openBaseUrl(server.base)
        .tokenCache(new FeishuSdkTest.FreshCache()).build();
    long now = server.adminOk("GET", "/clock", null).get("now_ms").getAsLong() / 1000;
    var applied = c.vc().reserve().apply(ApplyReserveReq.newBuilder().userIdType("open_id")
        .applyReserveReqBody(ApplyReserveReqBody.newBuilder().endTime(String.valueOf(now + 3600)).ownerId(tn.host())
            .meetingSettings(ReserveMeetingSetting.newBuilder().topic("events through the Java SDK").build()).build())
        .build());
    assertEquals(0, applied.getCode(), applied.getMsg());
    String mid = server.adminOk("POST", "/meetings/" + applied.getData().getReserve().getId() + "/start",
        Map.of("vendor", "feishu", "tenant", tn.app())).getAsJsonObject("meeting").get("id").getAsString();
    String code = server.adminOk("POST", "/vendors/feishu/login_code", Map.of("app_id", tn.app(), "user", tn.host()))
        .get("code").getAsString();
    var token = c.authen().oidcAccessToken().create(CreateOidcAccessTokenReq.newBuilder()
        .createOidcAccessTokenReqBody(CreateOidcAccessTokenReqBody.newBuilder()
            .grantType("authorization_code").code(code).build()).build());
    assertEquals(0, token.getCode(), token.getMsg());
    RequestOptions u = RequestOptions.newBuilder().userAccessToken(token.getData().getAccessToken()).build();
    MeetingUser[] guests = {
      MeetingUser.newBuilder().id(tn.guest1()).userType(1).build(),
      MeetingUser.newBuilder().id(tn.guest2()).userType(1).build(),
    };
    var invited = c.vc().meeting().invite(InviteMeetingReq.newBuilder().meetingId(mid).userIdType("open_id")
        .inviteMeetingReqBody(InviteMeetingReqBody.newBuilder().invitees(guests).build()).build(), u);
    assertEquals(0, invited.getCode(), invited.getMsg());
    server.advance(30); // they ring, then accept
    server.adminOk("POST", "/meetings/" + mid + "/leave", Map.of("vendor", "feishu", "tenant", tn.app(), "user", tn.guest1()));
    var kicked = c.vc().meeting().kickout(KickoutMeetingReq.newBuilder().meetingId(mid).userIdType("open_id")
        .kickoutMeetingReqBody(KickoutMeetingReqBody.newBuilder()
            .kickoutUsers(new MeetingUser[] {MeetingUser.newBuilder().id(tn.guest2()).userType(1).build()}).build())
        .build());
    assertEquals(0, kicked.getCode(), kicked.getMsg());
    var ended = c.vc().meeting().end(EndMeetingReq.newBuilder().meetingId(mid).build(), u);
    assertEquals(0, ended.getCode(), ended.getMsg());
    return mid;
  }

  /** Asserts the typed events of {@link #runMeeting}'s meeting and that all were delivered. */
  List<Got> checkMeetingEvents(MeetmockServer server, Tenant tn, String mid, String token) throws Exception {
    List<Got> events = await(EXPECTED.size());
    assertEquals(EXPECTED, events.stream().map(Got::type).collect(Collectors.toList()));
    assertEquals(events.size(), events.stream().map(g -> g.header().getEventId()).distinct().count(), "unique event ids");
    for (Got g : events) {
      assertEquals(tn.app(), g.header().getAppId());
      assertEquals(token, g.header().getToken());
      assertEquals(mid, g.meeting().getId());
      assertEquals(9, g.meeting().getMeetingNo().length());
      assertTrue(g.header().getEventId().matches("[0-9a-f]{32}"), g.header().getEventId());
    }
    MeetingEventMeeting started = events.get(0).meeting();
    assertEquals("events through the Java SDK", started.getTopic());
    assertEquals(4, started.getMeetingSource());
    assertEquals(tn.host(), openId(started.getHostUser()));
    assertEquals(tn.host(), events.get(2).operatorId());
    assertEquals(List.of(tn.guest1(), tn.guest2()),
        events.subList(3, 5).stream().map(Got::operatorId).sorted().collect(Collectors.toList()));
    assertEquals(List.of(tn.guest1() + ":1", tn.guest2() + ":3", tn.host() + ":2"), events.subList(5, 8).stream()
        .map(g -> openId(g.leaveUser()) + ":" + g.leaveReason()).collect(Collectors.toList()));
    assertEquals(tn.host(), events.get(8).operatorId(), "the host ended it through the SDK");
    assertTrue(Long.parseLong(events.get(8).meeting().getEndTime()) >= Long.parseLong(started.getStartTime()));
    assertEquals(List.of(tn.guest1(), tn.guest2(), tn.host()).stream().sorted().collect(Collectors.toList()),
        events.get(10).subscribers(), "everyone who took part");
    allDelivered(server, EXPECTED.size());
    return events;
  }

  /** Waits until meetmock has the answer to all {@code n} deliveries, and that they are all. */
  static void allDelivered(MeetmockServer server, int n) throws Exception {
    until(n + " deliveries delivered", () -> count(server, "/events/count?status=delivered") >= n);
    assertEquals(n, count(server, "/events/count"));
  }

  static int count(MeetmockServer server, String path) throws Exception {
    return server.adminOk("GET", path, null).get("count").getAsInt();
  }

  static JsonObject lastDelivery(MeetmockServer server) throws Exception {
    JsonArray events = server.adminOk("GET", "/events?limit=1", null).getAsJsonArray("events");
    return events.get(0).getAsJsonObject();
  }

  /**
   * The newest delivery {@code path} lists once its first attempt is over, waiting for it (the
   * delivery is queued a moment after the change that causes it).
   */
  static JsonObject firstAttempted(MeetmockServer server, String path) throws Exception {
    JsonObject[] d = new JsonObject[1];
    until("the first attempt", () -> {
      JsonArray events = server.adminOk("GET", path, null).getAsJsonArray("events");
      if (events.isEmpty()) return false;
      d[0] = events.get(0).getAsJsonObject();
      return d[0].getAsJsonArray("attempts").size() > 0 && !"in_flight".equals(d[0].get("status").getAsString());
    });
    return d[0];
  }
}
