package meetmock.testing;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One running meetmock: the built binary on a free loopback port (HTTP and HTTPS on that port,
 * certificate written to a temporary file), plus admin API helpers.
 *
 * <p>The binary is {@code $MEETMOCK_BIN}, else {@code $CARGO_TARGET_DIR/debug/meetmock}, else
 * {@code <repo>/target/debug/meetmock}. With {@code $MEETMOCK_URL} set nothing is started.
 */
public final class MeetmockServer implements AutoCloseable {
  private static final Pattern LISTENING =
      Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
  private static final Gson GSON = new Gson();

  public final int port;
  public final String host;
  public final String base;
  public final String httpsBase;
  public final Path certPath;
  public final String adminToken;
  private final Process process;
  private final Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private MeetmockServer(int port, Path certPath, String adminToken, Process process, Path dir) {
    this.port = port;
    this.host = "127.0.0.1:" + port;
    this.base = "http://127.0.0.1:" + port;
    this.httpsBase = "https://127.0.0.1:" + port;
    this.certPath = certPath;
    this.adminToken = adminToken;
    this.process = process;
    this.dir = dir;
  }

  static Path repoRoot() {
    // Maven runs each module in tests/clients/java/<module>.
    Path p = Paths.get("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("Cargo.toml"))) {
      p = p.getParent();
    }
    return p == null ? Paths.get("").toAbsolutePath() : p;
  }

  static Path binary() {
    String bin = System.getenv("MEETMOCK_BIN");
    if (bin != null && !bin.isEmpty()) return Paths.get(bin);
    String target = System.getenv("CARGO_TARGET_DIR");
    Path t = target != null && !target.isEmpty() ? Paths.get(target) : repoRoot().resolve("target");
    return t.resolve("debug").resolve("meetmock");
  }

  /** Starts meetmock with extra {@code serve} flags, or attaches to {@code $MEETMOCK_URL}. */
  public static MeetmockServer start(String... extraArgs) throws IOException, InterruptedException {
    String url = System.getenv("MEETMOCK_URL");
    if (url != null && !url.isEmpty()) {
      String cert = System.getenv("MEETMOCK_CERT");
      return new MeetmockServer(URI.create(url).getPort(), cert == null ? null : Paths.get(cert),
          System.getenv("MEETMOCK_ADMIN_TOKEN"), null, null);
    }
    Path bin = binary();
    if (!Files.exists(bin)) {
      throw new IllegalStateException("meetmock binary not found at " + bin + ": build it first (cargo build)");
    }
    Path dir = Files.createTempDirectory("meetmock-java-");
    Path cert = dir.resolve("cert.pem");
    List<String> cmd = new ArrayList<>(List.of(bin.toString(), "serve", "--listen", "127.0.0.1:0",
        "--write-cert", cert.toString()));
    cmd.addAll(List.of(extraArgs));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("NO_COLOR", "1");
    Process proc = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread drain = new Thread(() -> {
      try {
        String line;
        while ((line = out.readLine()) != null) { // keeps draining so the server never blocks
          Matcher m = LISTENING.matcher(line);
          if (m.find()) port.complete(Integer.parseInt(m.group(1)));
        }
      } catch (IOException ignored) {
        // the process ended
      }
      port.completeExceptionally(new IllegalStateException("meetmock exited before listening"));
    }, "meetmock-output");
    drain.setDaemon(true);
    drain.start();
    try {
      return new MeetmockServer(port.get(20, TimeUnit.SECONDS), cert, null, proc, dir);
    } catch (Exception e) {
      proc.destroyForcibly();
      throw new IllegalStateException("meetmock did not start: " + e.getMessage(), e);
    }
  }

  /** The answer of an admin call: status and parsed JSON body. */
  public record AdminAnswer(int status, JsonObject body) {}

  /** Calls /__admin{path} with a JSON body ({@code null} for none). */
  public AdminAnswer admin(String method, String path, Object body) throws IOException, InterruptedException {
    HttpRequest.BodyPublisher pub = body == null
        ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(GSON.toJson(body));
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(base + "/__admin" + path))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .method(method, pub);
    if (adminToken != null && !adminToken.isEmpty()) rb.header("Authorization", "Bearer " + adminToken);
    HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    JsonObject parsed = r.body().isBlank() ? new JsonObject() : GSON.fromJson(r.body(), JsonObject.class);
    return new AdminAnswer(r.statusCode(), parsed);
  }

  /** Like {@link #admin} but throws unless the answer is 200. */
  public JsonObject adminOk(String method, String path, Object body) throws IOException, InterruptedException {
    AdminAnswer a = admin(method, path, body);
    if (a.status() != 200) throw new IllegalStateException("admin " + method + " " + path + ": " + a.status() + " " + a.body());
    return a.body();
  }

  public void reset() throws IOException, InterruptedException { adminOk("POST", "/reset", null); }

  public void advance(double seconds) throws IOException, InterruptedException {
    adminOk("POST", "/clock/advance", java.util.Map.of("seconds", seconds));
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // best effort
      }
    }
  }
}
