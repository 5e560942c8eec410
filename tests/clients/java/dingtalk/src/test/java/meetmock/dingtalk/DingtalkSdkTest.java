package meetmock.dingtalk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dingtalkconference_1_0.models.CloseVideoConferenceHeaders;
import com.aliyun.dingtalkconference_1_0.models.CloseVideoConferenceRequest;
import com.aliyun.dingtalkconference_1_0.models.CreateVideoConferenceHeaders;
import com.aliyun.dingtalkconference_1_0.models.CreateVideoConferenceRequest;
import com.aliyun.dingtalkconference_1_0.models.InviteUsersHeaders;
import com.aliyun.dingtalkconference_1_0.models.InviteUsersRequest;
import com.aliyun.dingtalkconference_1_0.models.QueryConferenceInfoHeaders;
import com.aliyun.dingtalkconference_1_0.models.QueryConferenceMembersHeaders;
import com.aliyun.dingtalkconference_1_0.models.QueryConferenceMembersRequest;
import com.aliyun.dingtalkconference_1_0.models.QueryConferenceMembersResponseBody;
import com.aliyun.dingtalkconference_1_0.models.QueryOrgConferenceListHeaders;
import com.aliyun.dingtalkconference_1_0.models.QueryOrgConferenceListRequest;
import com.aliyun.dingtalkconference_1_0.models.UpdateVideoConferenceSettingHeaders;
import com.aliyun.dingtalkconference_1_0.models.UpdateVideoConferenceSettingRequest;
import com.aliyun.dingtalkoauth2_1_0.models.GetAccessTokenRequest;
import com.aliyun.dingtalkoauth2_1_0.models.GetCorpAccessTokenRequest;
import com.aliyun.dingtalkoauth2_1_0.models.GetTokenRequest;
import com.aliyun.tea.TeaException;
import com.aliyun.teaopenapi.models.Config;
import com.aliyun.teautil.models.RuntimeOptions;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import meetmock.testing.MeetmockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DingTalk oauth2_1_0 and conference_1_0 driven by the official Java SDK (com.aliyun:dingtalk,
 * pinned in pom.xml), exactly as a user would: {@code Config.protocol} + {@code endpoint}.
 */
class DingtalkSdkTest {
  static final String KEY = "dingmockappkey";
  static final String SECRET = "mock-app-secret";
  static final String HOST = "host-union-0001";
  static final String ALICE = "union-alice-0001";
  static final String DEMO_CONF = "607452e01401526ee39609e1";

  static MeetmockServer server;

  @BeforeAll
  static void start() throws Exception {
    server = MeetmockServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void fresh() throws Exception {
    server.reset();
  }

  static Config config() {
    Config c = new Config();
    c.protocol = "http";
    c.endpoint = server.host;
    return c;
  }

  static com.aliyun.dingtalkconference_1_0.Client conf() throws Exception {
    return new com.aliyun.dingtalkconference_1_0.Client(config());
  }

  static String token(String key, String secret, Config c) throws Exception {
    var client = new com.aliyun.dingtalkoauth2_1_0.Client(c);
    var r = client.getAccessToken(new GetAccessTokenRequest().setAppKey(key).setAppSecret(secret));
    assertEquals(7200L, r.getBody().getExpireIn());
    return r.getBody().getAccessToken();
  }

  static String token() throws Exception {
    return token(KEY, SECRET, config());
  }

  static String create(String tok) throws Exception {
    var h = new CreateVideoConferenceHeaders();
    h.xAcsDingtalkAccessToken = tok;
    var req = new CreateVideoConferenceRequest().setUserId(HOST).setConfTitle("Java 会议").setInviteCaller(false);
    String id = conf().createVideoConferenceWithOptions(req, h, new RuntimeOptions()).getBody().getConferenceId();
    assertEquals(24, id.length());
    return id;
  }

  static void invite(String tok, String id, InviteUsersRequest req) throws Exception {
    var h = new InviteUsersHeaders();
    h.xAcsDingtalkAccessToken = tok;
    assertTrue(conf().inviteUsersWithOptions(id, req, h, new RuntimeOptions()).getBody().getSuccess());
  }

  static List<QueryConferenceMembersResponseBody.QueryConferenceMembersResponseBodyMemberModels> members(String tok, String id) throws Exception {
    var h = new QueryConferenceMembersHeaders();
    h.xAcsDingtalkAccessToken = tok;
    return conf().queryConferenceMembersWithOptions(id, new QueryConferenceMembersRequest().setMaxResults(20), h, new RuntimeOptions())
        .getBody().getMemberModels();
  }

  static InviteUsersRequest.InviteUsersRequestInviteeList user(String union, String nick) {
    return new InviteUsersRequest.InviteUsersRequestInviteeList().setUnionId(union).setNick(nick);
  }

  static InviteUsersRequest.InviteUsersRequestPhoneInviteeList phone(String number, String nick) {
    var p = new InviteUsersRequest.InviteUsersRequestPhoneInviteeList().setPhoneNumber(number);
    return nick == null ? p : p.setNick(nick);
  }

  /** The SDK's exception for a refused call, checked for status and code. */
  static TeaException refused(int status, String code, org.junit.jupiter.api.function.Executable call) {
    TeaException e = assertThrows(TeaException.class, call);
    assertEquals(code, e.getCode(), String.valueOf(e.getData()));
    assertEquals(status, e.getStatusCode(), String.valueOf(e.getData()));
    return e;
  }

  static String message(TeaException e) {
    Map<String, Object> d = e.getData();
    return String.valueOf(d.get("message"));
  }

  @Test
  void tokensAreReusedAndAWrongSecretOrAStrictUnknownKeyIsRefused() throws Exception {
    String a = token();
    assertEquals(a, token());
    assertEquals(32, a.length());
    refused(400, "invalidClientIdOrSecret", () -> token(KEY, "WRONG", config()));
    server.adminOk("PUT", "/tenants/strict", Map.of("vendor", "dingtalk", "strict", true));
    refused(400, "invalidClientIdOrSecret", () -> token("ding-java-misconfigured", "s", config()));
  }

  @Test
  void inviteUsersAndPhonesWithAndWithoutNickThenCloseAndInviteAfterClose() throws Exception {
    // The demo's invitees answer within seconds: a still clock keeps the calls as placed.
    server.adminOk("POST", "/clock/freeze", Map.of());
    String tok = token();
    String id = create(tok);
    invite(tok, id, new InviteUsersRequest().setUnionId(HOST)
        .setInviteeList(List.of(user(ALICE, "Alice")))
        .setPhoneInviteeList(List.of(phone("13800000000", "Phone Guest"), phone("13800000001", null))));
    Map<String, Integer> status = members(tok, id).stream()
        .collect(Collectors.toMap(m -> m.getUserNick(), m -> m.getAttendStatus()));
    assertEquals(2, status.get("Alice"));
    assertEquals(2, status.get("Phone Guest"));
    assertEquals(2, status.get("13800000001"));
    var qh = new QueryConferenceInfoHeaders();
    qh.xAcsDingtalkAccessToken = tok;
    assertEquals(1, conf().queryConferenceInfoWithOptions(id, qh, new RuntimeOptions()).getBody().getConfInfo().getStatus());
    var ch = new CloseVideoConferenceHeaders();
    ch.xAcsDingtalkAccessToken = tok;
    var closed = conf().closeVideoConferenceWithOptions(id, new CloseVideoConferenceRequest().setUnionId(HOST), ch, new RuntimeOptions());
    assertEquals("success", closed.getBody().getCause());
    assertEquals(2, conf().queryConferenceInfoWithOptions(id, qh, new RuntimeOptions()).getBody().getConfInfo().getStatus());
    var e = refused(400, "paramsError", () -> invite(tok, id, new InviteUsersRequest().setInviteeList(List.of(user(ALICE, "Alice")))));
    assertEquals("error:conference has ended", message(e));
  }

  @Test
  void aUserInviteeWithoutNickOrABadTokenIsRefusedAndNothingChanges() throws Exception {
    String tok = token();
    String id = create(tok);
    var e = refused(400, "paramsError", () -> invite(tok, id, new InviteUsersRequest().setInviteeList(List.of(user(ALICE, null)))));
    assertEquals("error:nick is empty", message(e));
    assertEquals(1, members(tok, id).size());
    refused(400, "InvalidAuthentication", () -> invite("bogus", id, new InviteUsersRequest().setInviteeList(List.of(user(ALICE, "A")))));
  }

  @Test
  void theGatewayNamesAMissingFieldAndSettingsUpdateLocks() throws Exception {
    String tok = token();
    var h = new CreateVideoConferenceHeaders();
    h.xAcsDingtalkAccessToken = tok;
    var e = refused(400, "MissinguserId",
        () -> conf().createVideoConferenceWithOptions(new CreateVideoConferenceRequest().setConfTitle("x"), h, new RuntimeOptions()));
    assertEquals("userId is mandatory for this action.", message(e));
    var sh = new UpdateVideoConferenceSettingHeaders();
    sh.xAcsDingtalkAccessToken = tok;
    var r = conf().updateVideoConferenceSettingWithOptions(DEMO_CONF,
        new UpdateVideoConferenceSettingRequest().setLockConference(true), sh, new RuntimeOptions());
    assertEquals("success", r.getBody().get_case());
    var locked = refused(400, "paramsError",
        () -> invite(tok, DEMO_CONF, new InviteUsersRequest().setPhoneInviteeList(List.of(phone("13800000009", null)))));
    assertEquals("error:conference is locked", message(locked));
  }

  @Test
  void corpTokensAndNoTokenCrossesAReset() throws Exception {
    var client = new com.aliyun.dingtalkoauth2_1_0.Client(config());
    var corp = client.getCorpAccessToken(new GetCorpAccessTokenRequest()
        .setSuiteKey("suite-java").setSuiteSecret("s").setAuthCorpId("corp-java").setSuiteTicket("t"));
    assertEquals(7200L, corp.getBody().getExpireIn());
    var t = client.getToken("dingmockcorp0001",
        new GetTokenRequest().setClientId(KEY).setClientSecret(SECRET).setGrantType("client_credentials"));
    assertEquals(token(), t.getBody().getAccessToken());
    String a = token("ding-java-a", "sa", config());
    server.reset();
    String b = token("ding-java-b", "sb", config());
    assertNotEquals(a, b);
    var h = new QueryOrgConferenceListHeaders();
    h.xAcsDingtalkAccessToken = a;
    refused(400, "InvalidAuthentication",
        () -> conf().queryOrgConferenceListWithOptions(new QueryOrgConferenceListRequest(), h, new RuntimeOptions()));
  }

  @Test
  void httpsWithTheWrittenCertificate() throws Exception {
    Config c = config();
    c.protocol = "https";
    c.ca = Files.readString(server.certPath);
    String tok = token(KEY, SECRET, c);
    var h = new QueryConferenceInfoHeaders();
    h.xAcsDingtalkAccessToken = tok;
    var r = new com.aliyun.dingtalkconference_1_0.Client(c).queryConferenceInfoWithOptions(DEMO_CONF, h, new RuntimeOptions());
    assertEquals("583912640", r.getBody().getConfInfo().getRoomCode());
  }
}
