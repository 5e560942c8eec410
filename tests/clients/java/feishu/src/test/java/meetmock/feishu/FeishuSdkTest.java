package meetmock.feishu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.lark.oapi.Client;
import com.lark.oapi.core.cache.ICache;
import com.lark.oapi.core.request.RequestOptions;
import com.lark.oapi.core.response.BaseResponse;
import com.lark.oapi.service.auth.v3.model.CreateAppAccessTokenReq;
import com.lark.oapi.service.auth.v3.model.CreateAppAccessTokenReqBody;
import com.lark.oapi.service.auth.v3.model.InternalAppAccessTokenReq;
import com.lark.oapi.service.auth.v3.model.InternalAppAccessTokenReqBody;
import com.lark.oapi.service.auth.v3.model.InternalTenantAccessTokenReq;
import com.lark.oapi.service.auth.v3.model.InternalTenantAccessTokenReqBody;
import com.lark.oapi.service.auth.v3.model.ResendAppTicketReq;
import com.lark.oapi.service.auth.v3.model.ResendAppTicketReqBody;
import com.lark.oapi.service.authen.v1.model.CreateAccessTokenReq;
import com.lark.oapi.service.authen.v1.model.CreateAccessTokenReqBody;
import com.lark.oapi.service.authen.v1.model.CreateOidcAccessTokenReq;
import com.lark.oapi.service.authen.v1.model.CreateOidcAccessTokenReqBody;
import com.lark.oapi.service.authen.v1.model.CreateOidcRefreshAccessTokenReq;
import com.lark.oapi.service.authen.v1.model.CreateOidcRefreshAccessTokenReqBody;
import com.lark.oapi.service.authen.v1.model.CreateRefreshAccessTokenReq;
import com.lark.oapi.service.authen.v1.model.CreateRefreshAccessTokenReqBody;
import com.lark.oapi.service.contact.v3.model.BatchGetIdUserReq;
import com.lark.oapi.service.contact.v3.model.BatchGetIdUserReqBody;
import com.lark.oapi.service.contact.v3.model.GetUserReq;
import com.lark.oapi.service.vc.v1.model.*;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import meetmock.testing.MeetmockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Feishu / Lark VC v1 through the official Java SDK ({@code com.larksuite.oapi:oapi-sdk}):
 * tokens in every flow the SDK offers (self-built tenant = app token, OIDC and v1 user tokens,
 * a store app with its ticket and tenant key), reserve → meeting (its own id) → invite and its
 * refusals, kickout, set_host, end, reports with paging, recording, contact lookups, bad and
 * expired tokens, rate limit, log ids.
 */
class FeishuSdkTest {
  static final String APP = "cli_demo_feishu";
  static final String SECRET = "demo_feishu_secret";
  static final String LIVE = "7000000000000000028";
  static final String HOST = "ou_host_0001";
  static final Gson GSON = new Gson();
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

  /** The SDK caches tokens process-wide; each client gets its own cache (a reset forgets tokens). */
  static final class FreshCache implements ICache {
    final Map<String, String> values = new HashMap<>();
    final Map<String, Long> until = new HashMap<>();

    @Override
    public synchronized String get(String key) {
      Long u = until.get(key);
      return u == null || u < System.currentTimeMillis() ? "" : values.get(key);
    }

    @Override
    public synchronized void set(String key, String value, int expire, TimeUnit unit) {
      values.put(key, value);
      until.put(key, System.currentTimeMillis() + unit.toMillis(expire));
    }
  }

  static Client client(String appId, String secret, boolean store, ICache cache) {
    Client.Builder b = Client.newBuilder(appId, secret).openBaseUrl(server.base).tokenCache(cache);
    if (store) b.marketplaceApp();
    return b.build();
  }

  static Client client() {
    return client(APP, SECRET, false, new FreshCache());
  }

  static JsonObject admin(String method, String path, Object body) throws Exception {
    return server.adminOk(method, path, body);
  }

  static JsonObject meetingAction(String id, String action, Map<String, Object> extra) throws Exception {
    Map<String, Object> body = new HashMap<>(extra);
    body.put("vendor", "feishu");
    return admin("POST", "/meetings/" + id + "/" + action, body);
  }

  static String loginCode(String user) throws Exception {
    return admin("POST", "/vendors/feishu/login_code", Map.of("app_id", APP, "user", user))
        .get("code").getAsString();
  }

  /** A user token through the SDK's OIDC call (authenticated with the app token = tenant token). */
  static String userToken(Client c, String user) throws Exception {
    var r = c.authen().oidcAccessToken().create(CreateOidcAccessTokenReq.newBuilder()
        .createOidcAccessTokenReqBody(CreateOidcAccessTokenReqBody.newBuilder()
            .grantType("authorization_code").code(loginCode(user)).build()).build());
    assertEquals(0, r.getCode(), r.getMsg());
    return r.getData().getAccessToken();
  }

  static RequestOptions as(String userToken) {
    return RequestOptions.newBuilder().userAccessToken(userToken).build();
  }

  static JsonObject raw(BaseResponse<?> r) {
    return GSON.fromJson(new String(r.getRawResponse().getBody(), StandardCharsets.UTF_8), JsonObject.class);
  }

  /** Asserts HTTP status, code and message, and that the body repeats the X-Tt-Logid. */
  static void refused(BaseResponse<?> r, int status, int code, String msg) {
    assertEquals(status, r.getRawResponse().getStatusCode(), raw(r).toString());
    assertEquals(code, r.getCode(), raw(r).toString());
    if (msg != null) assertEquals(msg, r.getMsg());
    JsonObject err = raw(r).getAsJsonObject("error");
    if (err != null) assertEquals(err.get("log_id").getAsString(), r.getRequestId());
  }

  static long now() throws Exception {
    return admin("GET", "/clock", null).get("now_ms").getAsLong() / 1000;
  }

  static InviteMeetingReq invite(String meeting, String... ids) {
    MeetingUser[] users = java.util.Arrays.stream(ids)
        .map(id -> MeetingUser.newBuilder().id(id).userType(1).build()).toArray(MeetingUser[]::new);
    return InviteMeetingReq.newBuilder().meetingId(meeting).userIdType("open_id")
        .inviteMeetingReqBody(InviteMeetingReqBody.newBuilder().invitees(users).build()).build();
  }

  @Test
  void theAppTokenIsTheTenantTokenAndBuysUserTokens() throws Exception {
    Client c = client();
    var t = c.auth().tenantAccessToken().internal(InternalTenantAccessTokenReq.newBuilder()
        .internalTenantAccessTokenReqBody(InternalTenantAccessTokenReqBody.newBuilder().appId(APP).appSecret(SECRET).build()).build());
    var a = c.auth().appAccessToken().internal(InternalAppAccessTokenReq.newBuilder()
        .internalAppAccessTokenReqBody(InternalAppAccessTokenReqBody.newBuilder().appId(APP).appSecret(SECRET).build()).build());
    String tenant = raw(t).get("tenant_access_token").getAsString();
    assertEquals(tenant, raw(a).get("app_access_token").getAsString());
    assertTrue(tenant.startsWith("t-"));
    var o = c.authen().oidcAccessToken().create(CreateOidcAccessTokenReq.newBuilder()
        .createOidcAccessTokenReqBody(CreateOidcAccessTokenReqBody.newBuilder().grantType("authorization_code").code(loginCode(HOST)).build()).build());
    var rf = c.authen().oidcRefreshAccessToken().create(CreateOidcRefreshAccessTokenReq.newBuilder()
        .createOidcRefreshAccessTokenReqBody(CreateOidcRefreshAccessTokenReqBody.newBuilder().grantType("refresh_token")
            .refreshToken(o.getData().getRefreshToken()).build()).build());
    assertEquals(0, rf.getCode());
    var v1 = c.authen().accessToken().create(CreateAccessTokenReq.newBuilder()
        .createAccessTokenReqBody(CreateAccessTokenReqBody.newBuilder().grantType("authorization_code").code(loginCode("ou_guest_0003")).build()).build());
    assertEquals("ou_guest_0003", v1.getData().getOpenId());
    var v1r = c.authen().refreshAccessToken().create(CreateRefreshAccessTokenReq.newBuilder()
        .createRefreshAccessTokenReqBody(CreateRefreshAccessTokenReqBody.newBuilder().grantType("refresh_token")
            .refreshToken(v1.getData().getRefreshToken()).build()).build());
    assertEquals("on_guest_0003", v1r.getData().getUnionId());
    var info = c.authen().userInfo().get(as(rf.getData().getAccessToken()));
    assertEquals(HOST, info.getData().getOpenId());
    // a used refresh token: HTTP 200 with the v1 page's code
    var again = c.authen().oidcRefreshAccessToken().create(CreateOidcRefreshAccessTokenReq.newBuilder()
        .createOidcRefreshAccessTokenReqBody(CreateOidcRefreshAccessTokenReqBody.newBuilder().grantType("refresh_token")
            .refreshToken(o.getData().getRefreshToken()).build()).build());
    refused(again, 200, 20026, "The refresh token passed is invalid. Please check the value");
  }

  @Test
  void aStoreAppUsesItsTicketAndTenantKey() throws Exception {
    admin("POST", "/scenarios", Map.of("name", "java-isv", "tenants", List.of(Map.of(
        "vendor", "feishu", "id", "cli_java_isv", "secret", "isv_secret", "extra", Map.of("app_type", "store"),
        "users", List.of(Map.of("id", "ou_isv", "name", "ISV")),
        "meetings", List.of(Map.of("id", "7800000000000000001", "code", "780000001", "host", "ou_isv", "state", "in_progress"))))));
    FreshCache cache = new FreshCache();
    Client c = client("cli_java_isv", "isv_secret", true, cache);
    var rs = c.auth().appTicket().resend(ResendAppTicketReq.newBuilder().resendAppTicketReqBody(
        ResendAppTicketReqBody.newBuilder().appId("cli_java_isv").appSecret("isv_secret").build()).build());
    assertEquals(0, rs.getCode());
    JsonObject tk = admin("POST", "/vendors/feishu/app_ticket", Map.of("app_id", "cli_java_isv"));
    // where the SDK's event handler would put the pushed ticket
    cache.set("app_ticket-cli_java_isv", tk.get("app_ticket").getAsString(), 3600, TimeUnit.SECONDS);
    var m = c.vc().meeting().get(GetMeetingReq.newBuilder().meetingId("7800000000000000001").build(),
        RequestOptions.newBuilder().tenantKey(tk.get("tenant_key").getAsString()).build());
    assertEquals(0, m.getCode(), raw(m).toString());
    assertEquals("780000001", m.getData().getMeeting().getMeetingNo());
    var stale = c.auth().appAccessToken().create(CreateAppAccessTokenReq.newBuilder().createAppAccessTokenReqBody(
        CreateAppAccessTokenReqBody.newBuilder().appId("cli_java_isv").appSecret("isv_secret").appTicket("stale").build()).build());
    assertEquals(10012, stale.getCode());
    assertEquals("app ticket invalid", stale.getMsg());
  }

  @Test
  void reserveApplyGetUpdateThenTheStartedMeetingHasItsOwnId() throws Exception {
    Client c = client();
    var applied = c.vc().reserve().apply(ApplyReserveReq.newBuilder().userIdType("open_id")
        .applyReserveReqBody(ApplyReserveReqBody.newBuilder().endTime(String.valueOf(now() + 3600)).ownerId(HOST)
            .meetingSettings(ReserveMeetingSetting.newBuilder().topic("java sdk").meetingInitialType(1).build()).build()).build());
    assertEquals(0, applied.getCode(), raw(applied).toString());
    assertTrue(applied.getRequestId().matches("\\d{14}[0-9A-F]{20}"), applied.getRequestId());
    String rid = applied.getData().getReserve().getId();
    var got = c.vc().reserve().get(GetReserveReq.newBuilder().reserveId(rid).build());
    assertEquals("java sdk", got.getData().getReserve().getMeetingSettings().getTopic());
    var up = c.vc().reserve().update(UpdateReserveReq.newBuilder().reserveId(rid).updateReserveReqBody(UpdateReserveReqBody.newBuilder()
        .meetingSettings(ReserveMeetingSetting.newBuilder().topic("renamed").build()).build()).build());
    assertEquals(0, up.getCode());
    refused(c.vc().reserve().getActiveMeeting(GetActiveMeetingReserveReq.newBuilder().reserveId(rid).build()), 404, 121004, "data not exist");
    String mid = meetingAction(rid, "start", Map.of()).getAsJsonObject("meeting").get("id").getAsString();
    assertNotEquals(rid, mid);
    var active = c.vc().reserve().getActiveMeeting(GetActiveMeetingReserveReq.newBuilder().reserveId(rid).withParticipants(true).build());
    assertEquals(mid, active.getData().getMeeting().getId());
    var m = c.vc().meeting().get(GetMeetingReq.newBuilder().meetingId(mid).withParticipants(true).build());
    assertEquals(2, m.getData().getMeeting().getStatus());
    assertEquals(HOST, m.getData().getMeeting().getParticipants()[0].getId());
    refused(c.vc().meeting().get(GetMeetingReq.newBuilder().meetingId(rid).build()), 404, 121004, "data not exist");
    assertEquals(0, c.vc().reserve().delete(DeleteReserveReq.newBuilder().reserveId(rid).build()).getCode());
  }

  @Test
  void inviteThreeElevenAndEveryRefusal() throws Exception {
    // The demo's invitees answer within seconds: a still clock keeps the calls as placed.
    admin("POST", "/clock/freeze", Map.of());
    Client c = client();
    RequestOptions u = as(userToken(c, HOST));
    var r = c.vc().meeting().invite(invite(LIVE, "ou_guest_0000", "ou_guest_0001", "ou_guest_0002"), u);
    assertEquals(3, r.getData().getInviteResults().length);
    assertEquals(1, r.getData().getInviteResults()[0].getStatus());
    var m = c.vc().meeting().get(GetMeetingReq.newBuilder().meetingId(LIVE).withParticipants(true).build());
    assertEquals(3, java.util.Arrays.stream(m.getData().getMeeting().getParticipants()).filter(p -> p.getStatus() == 1).count());
    String[] eleven = IntStream.range(0, 11).mapToObj(i -> String.format("ou_guest_%04d", i)).toArray(String[]::new);
    refused(c.vc().meeting().invite(invite(LIVE, eleven), u), 400, 121003, "param error");
    meetingAction(LIVE, "lock", Map.of());
    refused(c.vc().meeting().invite(invite(LIVE, "ou_guest_0005"), u), 400, 122008, "meeting is locked");
    meetingAction(LIVE, "unlock", Map.of());
    meetingAction(LIVE, "capacity", Map.of("capacity", 4));
    refused(c.vc().meeting().invite(invite(LIVE, "ou_guest_0005"), u), 400, 122006, "participant count reach limit");
    meetingAction(LIVE, "capacity", Map.of("capacity", 300));
    admin("POST", "/users/ou_guest_0006/busy", Map.of("vendor", "feishu"));
    refused(c.vc().meeting().invite(invite(LIVE, "ou_guest_0006"), u), 400, 122007, "callee is busy");
    RequestOptions outsider = as(userToken(c, "ou_guest_0009"));
    refused(c.vc().meeting().invite(invite(LIVE, "ou_guest_0007"), outsider), 400, 122003, "operator user not in meeting");
    admin("POST", "/vendors/feishu/calling", Map.of("app_id", APP, "meeting", LIVE));
    refused(c.vc().meeting().invite(invite(LIVE, "ou_guest_0007"), u), 400, 122001, "meeting status unexpected");
  }

  @Test
  void kickoutSetHostAndEnd() throws Exception {
    Client c = client();
    meetingAction(LIVE, "join", Map.of("user", "ou_guest_0001"));
    var k = c.vc().meeting().kickout(KickoutMeetingReq.newBuilder().meetingId(LIVE).kickoutMeetingReqBody(KickoutMeetingReqBody.newBuilder()
        .kickoutUsers(new MeetingUser[] {MeetingUser.newBuilder().id("ou_guest_0001").userType(1).build()}).build()).build());
    assertEquals(1, k.getData().getKickoutResults()[0].getResult());
    meetingAction(LIVE, "join", Map.of("user", "ou_guest_0002"));
    RequestOptions u = as(userToken(c, HOST));
    var h = c.vc().meeting().setHost(SetHostMeetingReq.newBuilder().meetingId(LIVE).setHostMeetingReqBody(SetHostMeetingReqBody.newBuilder()
        .hostUser(MeetingUser.newBuilder().id("ou_guest_0002").userType(1).build())
        .oldHostUser(MeetingUser.newBuilder().id(HOST).userType(1).build()).build()).build(), u);
    assertEquals("ou_guest_0002", h.getData().getHostUser().getId());
    refused(c.vc().meeting().end(EndMeetingReq.newBuilder().meetingId(LIVE).build(), u), 403, 121005, "no permission");
    RequestOptions nh = as(userToken(c, "ou_guest_0002"));
    var e = c.vc().meeting().end(EndMeetingReq.newBuilder().meetingId(LIVE).build(), nh);
    assertEquals(0, e.getCode(), raw(e).toString());
    refused(c.vc().meeting().end(EndMeetingReq.newBuilder().meetingId(LIVE).build(), nh), 400, 122001, "meeting status unexpected");
  }

  @Test
  void reportsPageThroughEndedMeetings() throws Exception {
    long n = now();
    List<Map<String, Object>> meetings = IntStream.range(0, 23).mapToObj(i -> Map.<String, Object>of(
        "id", String.format("79500000000000000%02d", i), "code", String.valueOf(795000000 + i), "host", "ou_rep",
        "state", "ended", "start_time", n - 7200 + i * 60L, "end_time", n - 3600,
        "participants", List.of(Map.of("user_id", "ou_rep", "status", "left", "joined_at", n - 7200 + i * 60L, "left_at", n - 3600))))
        .toList();
    admin("POST", "/scenarios", Map.of("name", "java-reports", "tenants", List.of(Map.of(
        "vendor", "feishu", "id", "cli_java_rep", "secret", "rep_secret",
        "users", List.of(Map.of("id", "ou_rep", "name", "Rep")), "meetings", meetings))));
    Client c = client("cli_java_rep", "rep_secret", false, new FreshCache());
    var first = c.vc().meetingList().get(GetMeetingListReq.newBuilder().startTime(String.valueOf(n - 86400))
        .endTime(String.valueOf(n)).pageSize(20).build());
    assertEquals(20, first.getData().getMeetingList().length);
    assertTrue(first.getData().getHasMore());
    var second = c.vc().meetingList().get(GetMeetingListReq.newBuilder().startTime(String.valueOf(n - 86400))
        .endTime(String.valueOf(n)).pageSize(20).pageToken(first.getData().getPageToken()).build());
    assertEquals(3, second.getData().getMeetingList().length);
    assertTrue(!second.getData().getHasMore());
    var p = c.vc().participantList().get(GetParticipantListReq.newBuilder().meetingStartTime(String.valueOf(n - 7200))
        .meetingEndTime(String.valueOf(n)).meetingNo("795000000").meetingStatus(2).build());
    assertEquals(1, p.getData().getParticipants().length);
  }

  @Test
  void recordingAndContactLookups() throws Exception {
    Client c = client();
    RequestOptions u = as(userToken(c, HOST));
    var st = c.vc().meetingRecording().start(StartMeetingRecordingReq.newBuilder().meetingId(LIVE)
        .startMeetingRecordingReqBody(StartMeetingRecordingReqBody.newBuilder().timezone(8).build()).build(), u);
    assertEquals(0, st.getCode(), raw(st).toString());
    server.advance(10);
    c.vc().meeting().end(EndMeetingReq.newBuilder().meetingId(LIVE).build(), u);
    refused(c.vc().meetingRecording().get(GetMeetingRecordingReq.newBuilder().meetingId(LIVE).build()), 400, 124002, "record processing");
    server.advance(61);
    var g = client().vc().meetingRecording().get(GetMeetingRecordingReq.newBuilder().meetingId(LIVE).build());
    assertEquals("10000", g.getData().getRecording().getDuration());

    Client c2 = client();
    var ids = c2.contact().user().batchGetId(BatchGetIdUserReq.newBuilder().userIdType("open_id")
        .batchGetIdUserReqBody(BatchGetIdUserReqBody.newBuilder().emails(new String[] {"host@example.com"}).build()).build());
    assertEquals(HOST, ids.getData().getUserList()[0].getUserId());
    var usr = c2.contact().user().get(GetUserReq.newBuilder().userId("on_host_0001").userIdType("union_id").build());
    assertEquals(HOST, usr.getData().getUser().getOpenId());
  }

  @Test
  void badExpiredTokensScopesAndRateLimit() throws Exception {
    Client c = client();
    refused(c.vc().meeting().get(GetMeetingReq.newBuilder().meetingId(LIVE).build(), as("u-bogus")), 400, 99991668, null);
    String tok = userToken(c, HOST);
    admin("POST", "/tokens/expire", Map.of("token", tok));
    refused(c.vc().meeting().get(GetMeetingReq.newBuilder().meetingId(LIVE).build(), as(tok)), 400, 99991677, "Authentication token expired");
    admin("POST", "/vendors/feishu/app", Map.of("app_id", APP, "scopes", List.of("vc:meeting")));
    var noScope = c.vc().meeting().get(GetMeetingReq.newBuilder().meetingId(LIVE).build());
    refused(noScope, 400, 99991672, null);
    assertTrue(noScope.getMsg().contains("[vc:meeting:readonly]"), noScope.getMsg());
    admin("POST", "/vendors/feishu/app", Map.of("app_id", APP, "scopes", List.of("vc:meeting", "vc:meeting:readonly")));
    Client bad = client(APP, "wrong", false, new FreshCache());
    Exception e = assertThrows(Exception.class, () -> bad.vc().meeting().get(GetMeetingReq.newBuilder().meetingId(LIVE).build()));
    assertTrue(e.getMessage().contains("10014"), e.getMessage());

    admin("POST", "/scenarios", Map.of("name", "tight", "rate_limits", Map.of("feishu", List.of(Map.of("limit", 2, "window_secs", 60)))));
    try {
      for (int i = 0; i < 2; i++) {
        assertEquals(0, c.vc().meeting().get(GetMeetingReq.newBuilder().meetingId(LIVE).build()).getCode());
      }
      var limited = c.vc().meeting().get(GetMeetingReq.newBuilder().meetingId(LIVE).build());
      refused(limited, 429, 99991400, "request trigger frequency limit");
      Map<String, List<String>> h = limited.getRawResponse().getHeaders();
      String limit = h.entrySet().stream().filter(x -> x.getKey().equalsIgnoreCase("x-ogw-ratelimit-limit"))
          .map(x -> x.getValue().get(0)).findFirst().orElse("");
      assertEquals("2", limit);
    } finally {
      admin("POST", "/scenarios", Map.of("name", "documented", "rate_limits", Map.of("feishu", "documented")));
    }
  }
}
