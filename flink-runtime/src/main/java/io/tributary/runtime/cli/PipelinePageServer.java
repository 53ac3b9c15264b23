package io.tributary.runtime.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Serves the pipeline page on 127.0.0.1 only (the JDK's {@link HttpServer}): {@code /} the page,
 * {@code /api/state} its data as JSON, read afresh for each request. A request whose {@code Host} is
 * not this address or {@code localhost} is refused, so a page elsewhere cannot read the pipeline
 * through a DNS name rebound to the loopback address.
 */
final class PipelinePageServer implements AutoCloseable {

  static final String LOOPBACK = "127.0.0.1";

  private final HttpServer server;
  private final ExecutorService executor;

  private PipelinePageServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Starts serving on {@code 127.0.0.1:port} ({@code 0}: a free port). */
  static PipelinePageServer start(int port, Supplier<ObjectNode> state) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port), 0);
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "tributary-ui");
              t.setDaemon(true);
              return t;
            });
    int bound = server.getAddress().getPort();
    Set<String> hosts = Set.of(LOOPBACK + ":" + bound, "localhost:" + bound);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            String host = exchange.getRequestHeaders().getFirst("Host");
            if (host == null || !hosts.contains(host.toLowerCase(java.util.Locale.ROOT))) {
              send(
                  exchange,
                  403,
                  "text/plain",
                  "Host " + host + " is not served; open http://" + LOOPBACK + ":" + bound + "/");
              return;
            }
            if (!exchange.getRequestMethod().equals("GET")) {
              send(exchange, 405, "text/plain", "Only GET is served.");
              return;
            }
            String path = exchange.getRequestURI().getPath();
            try {
              if (path.equals("/")) {
                send(
                    exchange,
                    200,
                    "text/html; charset=utf-8",
                    PipelinePage.render(state.get(), true));
              } else if (path.equals("/api/state")) {
                send(exchange, 200, "application/json", state.get().toString());
              } else {
                send(exchange, 404, "text/plain", "Not found: " + path);
              }
            } catch (RuntimeException e) {
              send(
                  exchange,
                  500,
                  "text/plain",
                  "Cannot read the pipeline's state: " + e.getMessage());
            }
          }
        });
    server.setExecutor(executor);
    server.start();
    return new PipelinePageServer(server, executor);
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  String url() {
    return "http://" + LOOPBACK + ":" + server.getAddress().getPort() + "/";
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
