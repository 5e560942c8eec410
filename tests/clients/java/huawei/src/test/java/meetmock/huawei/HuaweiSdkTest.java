package meetmock.huawei;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.huaweicloud.sdk.core.exception.ClientRequestException;
import com.huaweicloud.sdk.core.exception.SdkException;
import com.huaweicloud.sdk.core.http.HttpConfig;
import com.huaweicloud.sdk.meeting.v1.MeetingClient;
import com.huaweicloud.sdk.meeting.v1.MeetingCredentials;
import com.huaweicloud.sdk.meeting.v1.model.*;
import java.util.List;
import meetmock.testing.MeetmockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Huawei Cloud Meeting through the official Java SDK (huaweicloud-sdk-meeting), set up as a user
 * would: MeetingCredentials (account + password, or App ID), the endpoint at meetmock over HTTPS
 * (verification off, as the SDK's HttpConfig offers), and the SDK's own exceptions.
 */
class HuaweiSdkTest {
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
  void reset() throws Exception {
    server.reset();
  }

  static MeetingClient client(MeetingCredentials creds) {
    HttpConfig cfg = HttpConfig.getDefaultHttpConfig().withIgnoreSSLVerification(true);
    return MeetingClient.newBuilder()
        .withCredential(creds)
        .withHttpConfig(cfg)
        .withEndpoint(server.httpsBase)
        .build();
  }

  static MeetingClient account(String password) {
    return client(new MeetingCredentials().withUserName("demo@hwcorp").withUserPassword(password));
  }

  static ClientRequestException refused(int status, String code, Runnable call) {
    ClientRequestException e = assertThrows(ClientRequestException.class, call::run);
    assertEquals(status, e.getHttpStatusCode());
    assertEquals(code, e.getErrorCode());
    assertEquals(32, e.getRequestId().length());
    return e;
  }

  @Test
  void theInviteLifecycleThroughTheJavaSdk() {
    MeetingClient c = account("Demo@Passw0rd");
    ConferenceInfo conf =
        c.createMeeting(
                new CreateMeetingRequest()
                    .withBody(
                        new RestScheduleConfDTO()
                            .withStartTime("2030-01-01 08:00")
                            .withLength(60)
                            .withSubject("java sdk")
                            .withMediaTypes("HDVideo")))
            .getBody()
            .get(0);
    String id = conf.getConferenceID();
    String chair =
        conf.getPasswordEntry().stream()
            .filter(p -> "chair".equals(p.getConferenceRole()))
            .findFirst()
            .orElseThrow()
            .getPassword();
    CreateConfTokenRequest tokenReq =
        new CreateConfTokenRequest().withConferenceID(id).withXPassword(chair).withXLoginType(1);
    refused(400, "MMC.111072005", () -> c.createConfToken(tokenReq));
    Attendee bob = new Attendee().withName("Bob").withPhone("+8613800000002").withType("normal");
    refused(
        400,
        "MMC.111072005",
        () ->
            c.inviteParticipant(
                new InviteParticipantRequest()
                    .withConferenceID(id)
                    .withXConferenceAuthorization("stbPLACEHOLDER")
                    .withBody(new RestInviteReqBody().withAttendees(List.of(bob)))));

    c.startMeeting(
        new StartMeetingRequest().withBody(new StartRequest().withConferenceID(id).withPassword(chair)));
    String ct = c.createConfToken(tokenReq).getData().getToken();
    c.inviteParticipant(
        new InviteParticipantRequest()
            .withConferenceID(id)
            .withXConferenceAuthorization(ct)
            .withBody(new RestInviteReqBody().withAttendees(List.of(bob))));
    ListOnlineConfAttendeeResponse online =
        c.listOnlineConfAttendee(
            new ListOnlineConfAttendeeRequest().withConfId(id).withOffset(0).withLimit(100));
    assertEquals(1, online.getCount());
    c.lockMeeting(
        new LockMeetingRequest()
            .withConferenceID(id)
            .withXConferenceAuthorization(ct)
            .withBody(new RestLockReqBody().withIsLock(1)));
    c.stopMeeting(new StopMeetingRequest().withConferenceID(id).withXConferenceAuthorization(ct));
    refused(
        400,
        "MMC.111072005",
        () ->
            c.inviteParticipant(
                new InviteParticipantRequest()
                    .withConferenceID(id)
                    .withXConferenceAuthorization(ct)
                    .withBody(new RestInviteReqBody().withAttendees(List.of(bob)))));
    c.cancelMeeting(new CancelMeetingRequest().withConferenceID(id).withType(1));
    refused(
        400,
        "MMC.111070005",
        () -> c.showMeetingDetail(new ShowMeetingDetailRequest().withConferenceID(id)));
  }

  /**
   * A refused login: the SDK's MeetingCredentials wraps the ClientRequestException it builds from
   * the login answer (error_code, error_msg and request_id read from the body) in an
   * SdkException; the vendor's answer is the cause.
   */
  @Test
  void aWrongPasswordIsAClientRequestExceptionWith401() {
    SdkException e =
        assertThrows(
            SdkException.class,
            () -> account("Wrong@Passw0rd").searchMeetings(new SearchMeetingsRequest()));
    Throwable t = e;
    while (t != null && !(t instanceof ClientRequestException)) {
      t = t.getCause();
    }
    ClientRequestException c = (ClientRequestException) t;
    assertEquals(401, c.getHttpStatusCode());
    assertEquals("USG.201010001", c.getErrorCode());
    assertEquals("The account or password is incorrect.", c.getErrorMsg());
    assertEquals(32, c.getRequestId().length());
  }

  @Test
  void appIdLoginWorksWithTheSdkSignature() {
    MeetingClient c =
        client(
            new MeetingCredentials()
                .withAuthType(AuthTypeEnum.APP_ID)
                .withAppId("hwdemoappid0123456789")
                .withAppKey("HwDemoAppKey0123456789abcdef")
                .withUserId("javauser01"));
    SearchMeetingsResponse r = c.searchMeetings(new SearchMeetingsRequest());
    assertEquals(200, r.getHttpStatusCode());
  }
}
