package io.tributary.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Flink standalone session cluster of separate JVM processes on 127.0.0.1, as {@code start-cluster.sh}
 * starts one from a distribution: a JobManager ({@code StandaloneSessionClusterEntrypoint}) and
 * TaskManagers ({@code TaskManagerRunner}), each {@code --configDir} a generated config dir, with a
 * classpath of Flink's own jars only ({@link FlinkLib}). A job must bring every other class it uses.
 *
 * <pre>{@code
 * try (StandaloneFlinkCluster cluster = StandaloneFlinkCluster.builder(Path.of("target/cluster"))
 *     .taskManagers(2).slotsPerTaskManager(2).start()) {
 *   var env = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1", cluster.restPort(), conf, jar);
 *   ...
 *   cluster.killTaskManager(0);      // kill -9
 *   cluster.startTaskManager();
 * }
 * }</pre>
 *
 * <p>Memory as a distribution's defaults would not fit two cores and other tests: 1 GB JobManager,
 * 2 GB TaskManagers, every memory option and JVM flag computed by Flink's own
 * {@code TaskExecutorProcessUtils}/{@code JobManagerProcessUtils} (what {@code BashJavaUtils} prints for
 * the scripts). Logs ({@code jobmanager.log}, {@code taskmanager-N.log}, their {@code .out}) and the
 * config dir are under the work dir. {@link #close()} and a shutdown hook kill every process.
 * {@link FlinkProcesses} launches the processes, {@link ClusterConfigFiles} writes their config dir;
 * this class starts, watches (through the REST API) and stops them.
 */
public final class StandaloneFlinkCluster implements AutoCloseable {

  /** Set to {@code true} to skip the tests that start a cluster (locally only: CI never sets it). */
  public static final String SKIP_PROPERTY = "tributary.skipClusterTests";

  private final Path workDir;
  private final Path configDir;
  private final Configuration config;
  private final FlinkProcesses processes;
  private final int restPort;
  private final Application application;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final Thread shutdownHook = new Thread(this::killAll, "standalone-flink-cluster-cleanup");
  private Process jobManager;
  private final List<Process> taskManagers = new ArrayList<>();
  private boolean closed;

  private StandaloneFlinkCluster(
      Path workDir, Configuration config, String classpath, int restPort, Application application) {
    this.workDir = workDir;
    this.configDir = workDir.resolve("conf");
    this.config = config;
    this.processes = new FlinkProcesses(workDir, configDir, logDir(), config, classpath);
    this.restPort = restPort;
    this.application = application;
  }

  /** An application cluster's program: its main class, arguments and the jars of its {@code usrlib/}. */
  private record Application(String mainClass, List<String> arguments, List<Path> userJars) {}

  /** A cluster whose config dir and logs go under {@code workDir} (say {@code target/cluster/<test>}). */
  public static Builder builder(Path workDir) {
    return new Builder(workDir);
  }

  /** Whether the cluster tests are to be skipped here ({@value #SKIP_PROPERTY}). */
  public static boolean skipped() {
    return Boolean.getBoolean(SKIP_PROPERTY);
  }

  /** The REST port of the JobManager (web UI, job submission, metrics). */
  public int restPort() {
    return restPort;
  }

  /** {@code 127.0.0.1:<rest port>}, what {@code --cluster} and {@code flink run -m} take. */
  public String restAddress() {
    return "127.0.0.1:" + restPort;
  }

  /** {@code http://127.0.0.1:<rest port>}. */
  public URI restUri() {
    return URI.create("http://" + restAddress());
  }

  /** The generated config dir ({@code config.yaml}, {@code log4j.properties}), what {@code FLINK_CONF_DIR} names. */
  public Path configDir() {
    return configDir;
  }

  /** The JobManager's process (an application cluster's ends when its application has). */
  public Process jobManagerProcess() {
    return jobManager;
  }

  /**
   * The {@code flink} command as {@code bin/flink} runs it ({@code CliFrontend} in a JVM of its own, on the
   * cluster's classpath, {@code FLINK_CONF_DIR} naming this cluster's config dir), with {@code arguments}
   * such as {@code run -c Main app.jar …}; its output goes to {@code output}.
   */
  public ProcessBuilder flinkCommand(List<String> arguments, Path output) throws IOException {
    return processes.flinkCommand(arguments, output);
  }

  /** Where the processes' logs are. */
  public Path logDir() {
    return workDir.resolve("log");
  }

  /** A copy of the cluster's configuration (what config.yaml holds). */
  public Configuration configuration() {
    return new Configuration(config);
  }

  /** The TaskManager processes started so far (killed ones included), by index. */
  public synchronized List<Process> taskManagerProcesses() {
    return List.copyOf(taskManagers);
  }

  /** Kills TaskManager {@code index} as {@code kill -9} does and waits until its process is gone. */
  public synchronized void killTaskManager(int index) throws InterruptedException {
    Process process = taskManagers.get(index);
    process.destroyForcibly(); // SIGKILL on Unix: no shutdown hook, no goodbye to the JobManager
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          "TaskManager " + index + " (pid " + process.pid() + ") outlived kill -9");
    }
  }

  /** Starts one more TaskManager and returns its index; see {@link #awaitTaskManagers}. */
  public synchronized int startTaskManager() throws IOException {
    int index = taskManagers.size();
    taskManagers.add(processes.startTaskManager(index));
    return index;
  }

  /** The resource id TaskManager {@code index} registers with ({@code /taskmanagers}' {@code id}). */
  public static String taskManagerId(int index) {
    return "taskmanager-" + index;
  }

  /** The ids of the TaskManagers the JobManager has registered now (a killed one until its heartbeat times out). */
  public List<String> registeredTaskManagerIds() throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    get("/taskmanagers").path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
    ids.sort(null);
    return ids;
  }

  /**
   * Waits until the REST API reports {@code count} registered TaskManagers and all their slots: a
   * TaskManager is counted when it registers and its slots only once its slot report follows, so
   * {@code /overview} can say one TaskManager and 0 slots for a moment.
   */
  public void awaitTaskManagers(int count, Duration timeout)
      throws IOException, InterruptedException {
    int slots = count * config.get(TaskManagerOptions.NUM_TASK_SLOTS);
    long deadline = System.nanoTime() + timeout.toNanos();
    String seen = "no answer";
    while (System.nanoTime() < deadline) {
      checkJobManagerAlive();
      JsonNode overview = overview();
      if (overview != null) {
        int taskManagers = overview.path("taskmanagers").asInt(-1);
        int slotsTotal = overview.path("slots-total").asInt(-1);
        if (taskManagers == count && slotsTotal == slots) {
          return;
        }
        seen = taskManagers + " TaskManagers with " + slotsTotal + " slots";
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "The cluster reported "
            + seen
            + ", not "
            + count
            + " with "
            + slots
            + ", after "
            + timeout
            + ". Logs: "
            + logDir());
  }

  /** The REST API's {@code /overview}, null while it does not answer. */
  private JsonNode overview() throws InterruptedException {
    try {
      return get("/overview");
    } catch (IOException notYet) {
      return null;
    }
  }

  /** GETs a REST path ({@code /jobs/overview}) of the JobManager and parses its JSON. */
  public JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(restUri().resolve(path))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "GET " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return json.readTree(response.body());
  }

  /** Kills every process of the cluster (TaskManagers first). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs or ran already
    }
  }

  private synchronized void killAll() {
    List<Process> all = new ArrayList<>(taskManagers);
    if (jobManager != null) {
      all.add(jobManager);
    }
    for (Process process : all) {
      process.destroyForcibly();
    }
    for (Process process : all) {
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void start(int taskManagerCount, Duration timeout, boolean awaitRegistration)
      throws IOException, InterruptedException {
    Files.createDirectories(configDir);
    Files.createDirectories(logDir());
    ClusterConfigFiles.write(configDir, config);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      jobManager =
          application == null
              ? processes.startSessionJobManager()
              : processes.startApplicationJobManager(
                  application.mainClass(), application.arguments(), application.userJars());
      for (int i = 0; i < taskManagerCount; i++) {
        startTaskManager();
      }
      if (awaitRegistration) {
        awaitTaskManagers(taskManagerCount, timeout);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private void checkJobManagerAlive() throws IOException {
    if (!jobManager.isAlive()) {
      throw new IllegalStateException(
          "The JobManager exited with "
              + jobManager.exitValue()
              + ". Its log ends:\n"
              + processes.tail("jobmanager.log")
              + processes.tail("jobmanager.out"));
    }
  }

  /** What a cluster is started with. */
  public static final class Builder {
    private final Path workDir;
    private int taskManagers = 1;
    private int slots = 2;
    private String jobManagerMemory = "1024m";
    private String taskManagerMemory = "2048m";
    private Duration startTimeout = Duration.ofSeconds(90);
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<Path> extraClasspath = new ArrayList<>();
    private Application application;
    private boolean awaitRegistration = true;

    private Builder(Path workDir) {
      this.workDir = Objects.requireNonNull(workDir, "workDir").toAbsolutePath();
    }

    public Builder taskManagers(int count) {
      this.taskManagers = count;
      return this;
    }

    public Builder slotsPerTaskManager(int count) {
      this.slots = count;
      return this;
    }

    public Builder taskManagerMemory(String processSize) {
      this.taskManagerMemory = processSize;
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /**
     * Jars added after Flink's on every process's classpath, as {@code bin/config.sh} adds
     * {@code HADOOP_CLASSPATH} (say Hadoop's client jars, for {@code hdfs://} checkpoints).
     */
    public Builder extraClasspath(List<Path> jars) {
      extraClasspath.addAll(jars);
      return this;
    }

    /**
     * An application cluster instead of a session cluster, as {@code standalone-job.sh start --job-classname
     * MAIN ARGS…} starts one: {@code StandaloneApplicationClusterEntryPoint}, with {@code userJars} in its
     * {@code usrlib/}, runs {@code mainClass} with {@code arguments} in the JobManager; the cluster shuts
     * down when the application ends.
     */
    public Builder application(String mainClass, List<String> arguments, List<Path> userJars) {
      this.application = new Application(mainClass, List.copyOf(arguments), List.copyOf(userJars));
      return this;
    }

    /** Whether {@link #start()} waits for the TaskManagers to register (default); else it returns once launched. */
    public Builder awaitRegistration(boolean await) {
      this.awaitRegistration = await;
      return this;
    }

    /** Any other config.yaml entry (say {@code heartbeat.timeout}); wins over the fixture's. */
    public Builder set(String key, String value) {
      settings.put(key, value);
      return this;
    }

    /** Starts the processes and returns once the REST API reports every TaskManager. */
    public StandaloneFlinkCluster start() throws IOException, InterruptedException {
      int restPort = ClusterConfigFiles.freePort();
      Map<String, String> entries =
          ClusterConfigFiles.entries(workDir, restPort, slots, jobManagerMemory, taskManagerMemory);
      entries.putAll(settings);
      Configuration conf = Configuration.fromMap(entries);
      String classpath = FlinkLib.classpath();
      for (Path jar : extraClasspath) {
        classpath += java.io.File.pathSeparator + jar.toAbsolutePath();
      }
      StandaloneFlinkCluster cluster =
          new StandaloneFlinkCluster(workDir, conf, classpath, restPort, application);
      Files.createDirectories(workDir.resolve("tmp"));
      cluster.start(taskManagers, startTimeout, awaitRegistration);
      return cluster;
    }
  }
}
