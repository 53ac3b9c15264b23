package io.tributary.s3test;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * An S3-compatible server on 127.0.0.1 for tests: Adobe's S3Mock, started as a separate Java process
 * from its own classpath (the resolved closure of {@code com.adobe.testing:s3mock}, listed at build
 * time), its objects kept in a folder the caller gives. Plain HTTP, path-style requests, any access key.
 *
 * <pre>{@code
 * try (S3MockServer s3 = S3MockServer.start(tempDir, "bucket")) {
 *   String endpoint = s3.endpoint();  // http://127.0.0.1:<port>
 * }
 * }</pre>
 */
public final class S3MockServer implements AutoCloseable {

  private static final String MAIN = "com.adobe.testing.s3mock.S3MockApplication";
  private static final Duration STARTUP = Duration.ofSeconds(90);

  private final Process process;
  private final int port;
  private final Path log;

  private S3MockServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts a server whose objects live under {@code folder}, with {@code buckets} created, and waits
   * until it answers (S3Mock takes 3–10 s to start).
   */
  public static S3MockServer start(Path folder, String... buckets) throws IOException {
    Objects.requireNonNull(folder, "folder");
    Path store = Files.createDirectories(folder.resolve("store"));
    Path log = folder.resolve("s3mock.log");
    int httpPort = freePort();
    int httpsPort = freePort();
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                classpath(),
                MAIN,
                "--server.address=127.0.0.1",
                "--server.port=" + httpsPort,
                "--com.adobe.testing.s3mock.http-port=" + httpPort,
                "--com.adobe.testing.s3mock.store.root=" + store,
                "--com.adobe.testing.s3mock.store.initialBuckets=" + String.join(",", buckets)));
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    S3MockServer server = new S3MockServer(process, httpPort, log);
    server.awaitStarted();
    return server;
  }

  /** The endpoint to give S3 clients: {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** The server's output, for a failing test's message. */
  public Path log() {
    return log;
  }

  private void awaitStarted() throws IOException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "S3Mock exited with code " + process.exitValue() + " before answering: " + tail());
      }
      try {
        HttpURLConnection connection =
            (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
        connection.setConnectTimeout(500);
        connection.setReadTimeout(2000);
        int status = connection.getResponseCode();
        try (InputStream body =
            status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
          if (body != null) {
            body.readAllBytes();
          }
        }
        if (status == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new IOException("interrupted while S3Mock started", e);
      }
    }
    close();
    throw new IOException(
        "S3Mock did not answer on "
            + endpoint()
            + " within "
            + STARTUP.toSeconds()
            + " s: "
            + tail());
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static String classpath() throws IOException {
    try (InputStream in = S3MockServer.class.getResourceAsStream("s3mock.classpath")) {
      if (in == null) {
        throw new IOException(
            "s3mock.classpath is missing from tributary-s3-test-server: build that module");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Stops the server and waits for its process to end. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
