package meetmock.huawei;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.huaweicloud.sdk.core.exception.ClientRequestException;
import com.huaweicloud.sdk.core.exception.ServerResponseException;
import com.huaweicloud.sdk.core.http.HttpConfig;
import com.huaweicloud.sdk.meeting.v1.MeetingClient;
import com.huaweicloud.sdk.meeting.v1.MeetingCredentials;
import com.huaweicloud.sdk.meeting.v1.model.*;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import meetmock.testing.MeetmockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The enterprise event-push configuration through the Java SDK (setWebHookConfig,
 * showWebHookConfig, updateWebHookConfigStatus, deleteWebHookConfig). The app is an HTTPS
 * endpoint (the JDK's HttpsServer with a keytool certificate, which this test's meetmock trusts
 * through --events-ca) written from Huawei's docs: it checks hex(HMAC-SHA256(subscriberKey,
 * appID + timestamp + nonce + raw eventInfo)) on every request and echoes meeting.verify's nonce.
 */
class HuaweiWebHookTest {
  static final String SUBSCRIBER = "1988692299";
  static final String KEY = "mockSubscriberKey123";
  static MeetmockServer server;
  static HttpsServer app;
  static final List<JsonObject> pushes = new ArrayList<>();
  static int refused;
  static String url;

  static void keytool(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) throw new IllegalStateException("keytool: " + out);
  }

  /** The raw text of the top-level eventInfo object, as received. */
  static String rawEventInfo(String body) {
    int start = body.indexOf("\"eventInfo\":") + "\"eventInfo\":".length();
    int depth = 0;
    boolean inStr = false, esc = false;
    for (int i = start; i < body.length(); i++) {
      char c = body.charAt(i);
      if (esc) esc = false;
      else if (c == '\\' && inStr) esc = true;
      else if (c == '"') inStr = !inStr;
      else if (c == '{' && !inStr) depth++;
      else if (c == '}' && !inStr && --depth == 0) return body.substring(start, i + 1);
    }
    return "";
  }

  static String hmac(String msg) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(msg.getBytes(StandardCharsets.UTF_8)));
  }

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("meetmock-java-hw-");
    keytool(dir, "-genkeypair", "-alias", "rx", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", "rx.p12", "-storepass", "changeit");
    keytool(dir, "-exportcert", "-rfc", "-alias", "rx", "-keystore", "rx.p12",
        "-storepass", "changeit", "-file", "rx.pem");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(dir.resolve("rx.p12").toFile())) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    app = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    app.setHttpsConfigurator(new HttpsConfigurator(tls));
    app.createContext("/openapi/meetingevent", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      JsonObject j = JsonParser.parseString(body).getAsJsonObject();
      String msg = j.get("appID").getAsString() + j.get("timestamp").getAsLong()
          + j.get("nonce").getAsString() + rawEventInfo(body);
      byte[] answer = new byte[0];
      int status = 200;
      try {
        synchronized (pushes) {
          if (!hmac(msg).equals(j.get("signature").getAsString())) {
            refused++;
            status = 401;
          } else {
            pushes.add(j);
            if ("meeting.verify".equals(j.getAsJsonObject("eventInfo").get("event").getAsString())) {
              answer = ("{\"event\":\"meeting.verify\",\"nonce\":\"" + j.get("nonce").getAsString() + "\"}")
                  .getBytes(StandardCharsets.UTF_8);
            }
          }
        }
      } catch (Exception e) {
        status = 500;
      }
      ex.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
      if (answer.length > 0) ex.getResponseBody().write(answer);
      ex.close();
    });
    app.start();
    url = "https://127.0.0.1:" + app.getAddress().getPort() + "/openapi/meetingevent";
    server = MeetmockServer.start("--events-ca", dir.resolve("rx.pem").toString());
  }

  @AfterAll
  static void stop() {
    server.close();
    app.stop(0);
  }

  static MeetingClient client() {
    HttpConfig cfg = HttpConfig.getDefaultHttpConfig().withIgnoreSSLVerification(true);
    return MeetingClient.newBuilder()
        .withCredential(new MeetingCredentials().withUserName("demo@hwcorp").withUserPassword("Demo@Passw0rd"))
        .withHttpConfig(cfg)
        .withEndpoint(server.httpsBase)
        .build();
  }

  static List<String> events() {
    synchronized (pushes) {
      return pushes.stream()
          .map(p -> p.getAsJsonObject("eventInfo").get("event").getAsString())
          .toList();
    }
  }

  @Test
  void thePushConfigurationIsSetEnabledThroughTheEchoUsedAndDeleted() throws Exception {
    MeetingClient c = client();
    WebHookConfigRequest http = new WebHookConfigRequest().withCorpId("hwcorp0001")
        .withSubscriberId(SUBSCRIBER).withSubscriberKey(KEY).withUrl(url.replace("https://", "http://"));
    ClientRequestException bad = assertThrows(ClientRequestException.class,
        () -> c.setWebHookConfig(new SetWebHookConfigRequest().withBody(http)));
    assertEquals(400, bad.getHttpStatusCode());
    assertEquals("MMC.111070001", bad.getErrorCode());

    c.setWebHookConfig(new SetWebHookConfigRequest().withBody(new WebHookConfigRequest()
        .withCorpId("hwcorp0001").withSubscriberId(SUBSCRIBER).withSubscriberKey(KEY).withUrl(url)));
    ShowWebHookConfigResponse shown =
        c.showWebHookConfig(new ShowWebHookConfigRequest().withCorpId("hwcorp0001"));
    assertEquals(32, shown.getId().length());
    assertEquals(SUBSCRIBER, shown.getSubscriberId());
    assertEquals(url, shown.getUrl());
    assertEquals(1, shown.getStatus());
    String id = shown.getId();

    c.updateWebHookConfigStatus(new UpdateWebHookConfigStatusRequest().withId(id).withStatus(0));
    assertEquals(List.of("meeting.verify"), events());
    assertEquals(0, c.showWebHookConfig(new ShowWebHookConfigRequest()).getStatus());

    server.adminOk("POST", "/meetings/914673889/join", Map.of("vendor", "huawei", "user", "alice@hwcorp"));
    long deadline = System.currentTimeMillis() + 10_000;
    while (events().size() < 2 && System.currentTimeMillis() < deadline) Thread.sleep(20);
    assertEquals(List.of("meeting.verify", "meeting.join"), events());
    assertEquals(0, refused);
    JsonObject join;
    synchronized (pushes) {
      join = pushes.get(1);
    }
    assertTrue(join.get("timestamp").getAsLong() > 1_000_000_000_000L, "ms");
    assertEquals("alice@hwcorp",
        join.getAsJsonObject("eventInfo").getAsJsonObject("payload").getAsJsonObject("attendeeInfo")
            .get("account").getAsString());

    c.updateWebHookConfigStatus(new UpdateWebHookConfigStatusRequest().withId(id).withStatus(2));
    assertEquals(2, c.showWebHookConfig(new ShowWebHookConfigRequest()).getStatus());
    c.deleteWebHookConfig(new DeleteWebHookConfigRequest().withId(id));
    assertNull(c.showWebHookConfig(new ShowWebHookConfigRequest()).getId());
    ClientRequestException gone = assertThrows(ClientRequestException.class,
        () -> c.deleteWebHookConfig(new DeleteWebHookConfigRequest().withId(id)));
    assertEquals("MMC.111070005", gone.getErrorCode());

    // Enabling against a URL that never answers fails with the server's error; stays disabled.
    c.setWebHookConfig(new SetWebHookConfigRequest().withBody(new WebHookConfigRequest()
        .withSubscriberId(SUBSCRIBER).withSubscriberKey(KEY).withUrl("https://127.0.0.1:1/cb")));
    String id2 = c.showWebHookConfig(new ShowWebHookConfigRequest()).getId();
    ServerResponseException failed = assertThrows(ServerResponseException.class,
        () -> c.updateWebHookConfigStatus(new UpdateWebHookConfigStatusRequest().withId(id2).withStatus(0)));
    assertEquals(500, failed.getHttpStatusCode());
    assertEquals("MMC.100000501", failed.getErrorCode());
    assertEquals(1, c.showWebHookConfig(new ShowWebHookConfigRequest()).getStatus());
  }
}
