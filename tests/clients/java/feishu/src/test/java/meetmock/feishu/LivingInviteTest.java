package meetmock.feishu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.lark.oapi.Client;
import com.lark.oapi.core.request.RequestOptions;
import com.lark.oapi.service.authen.v1.model.CreateOidcAccessTokenReq;
import com.lark.oapi.service.authen.v1.model.CreateOidcAccessTokenReqBody;
import com.lark.oapi.service.vc.v1.model.GetMeetingReq;
import com.lark.oapi.service.vc.v1.model.InviteMeetingReq;
import com.lark.oapi.service.vc.v1.model.InviteMeetingReqBody;
import com.lark.oapi.service.vc.v1.model.MeetingUser;
import java.util.HashMap;
import java.util.Map;
import meetmock.testing.MeetmockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The living invite through the official Java SDK: invite, move the server clock with the admin
 * API (never sleep), and read calling 1 → ringing 3 → joined 2 → left 4 back with the SDK; the
 * demo's {@code ou_guest_0010} declines (4).
 */
class LivingInviteTest {
  static final String APP = "cli_demo_feishu";
  static final String LIVE = "7000000000000000028";
  static final String HOST = "ou_host_0001";
  static MeetmockServer server;

  @BeforeAll
  static void start() throws Exception {
    server = MeetmockServer.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  static Map<String, Integer> statuses(Client c) throws Exception {
    var m = c.vc().meeting().get(GetMeetingReq.newBuilder().meetingId(LIVE).withParticipants(true).build());
    assertEquals(0, m.getCode(), m.getMsg());
    Map<String, Integer> out = new HashMap<>();
    for (var p : m.getData().getMeeting().getParticipants()) out.put(p.getId(), p.getStatus());
    return out;
  }

  @Test
  void anInviteeRingsJoinsAndLeavesOnTheServerClock() throws Exception {
    server.reset();
    server.adminOk("POST", "/clock/freeze", Map.of());
    server.adminOk("PUT", "/behaviours", Map.of("vendor", "feishu", "tenant", APP, "user", "ou_guest_0008",
        "alert", 500, "ring", 3000, "outcome", "accept", "stay", 60000));
    Client c = Client.newBuilder(APP, "demo_feishu_secret").openBaseUrl(server.base)
        .tokenCache(new FeishuSdkTest.FreshCache()).build();
    String code = server.adminOk("POST", "/vendors/feishu/login_code", Map.of("app_id", APP, "user", HOST))
        .get("code").getAsString();
    var token = c.authen().oidcAccessToken().create(CreateOidcAccessTokenReq.newBuilder()
        .createOidcAccessTokenReqBody(CreateOidcAccessTokenReqBody.newBuilder()
            .grantType("authorization_code").code(code).build()).build());
    assertEquals(0, token.getCode(), token.getMsg());
    MeetingUser[] users = {
      MeetingUser.newBuilder().id("ou_guest_0008").userType(1).build(),
      MeetingUser.newBuilder().id("ou_guest_0010").userType(1).build(),
    };
    var invited = c.vc().meeting().invite(InviteMeetingReq.newBuilder().meetingId(LIVE).userIdType("open_id")
            .inviteMeetingReqBody(InviteMeetingReqBody.newBuilder().invitees(users).build()).build(),
        RequestOptions.newBuilder().userAccessToken(token.getData().getAccessToken()).build());
    assertEquals(0, invited.getCode(), invited.getMsg());
    assertEquals(Map.of(HOST, 2, "ou_guest_0008", 1, "ou_guest_0010", 1), statuses(c));
    server.advance(1);
    assertEquals(3, statuses(c).get("ou_guest_0008"), "ringing");
    server.advance(5);
    assertEquals(Map.of(HOST, 2, "ou_guest_0008", 2, "ou_guest_0010", 4), statuses(c));
    server.advance(60);
    assertEquals(4, statuses(c).get("ou_guest_0008"), "left after the stay");
  }
}
