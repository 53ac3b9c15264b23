package io.tributary.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * Launches a {@link StandaloneFlinkCluster}'s JVMs as Flink's scripts do: the JobManager of a session
 * or an application cluster, TaskManagers, and the {@code flink} command. Each runs Flink's main
 * class on Flink's own classpath with the JVM flags and memory options Flink's process utilities
 * compute from the cluster's configuration, logs to its own file under the log dir, and sees only the
 * environment the scripts export (the config dir, no inherited Hadoop settings).
 */
final class FlinkProcesses {

  /**
   * What {@code env.java.opts.all} of a Flink 2 distribution's config.yaml opens on Java 17; the
   * cluster's own {@code env.java.opts.*} entries come after them.
   */
  private static final List<String> JAVA_17_OPTS =
      List.of(
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private static final String JOB_MANAGER_MAIN =
      "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  private static final String TASK_MANAGER_MAIN =
      "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
  private static final String APPLICATION_MAIN =
      "org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint";
  private static final String CLI_MAIN = "org.apache.flink.client.cli.CliFrontend";

  private final Path workDir;
  private final Path configDir;
  private final Path logDir;
  private final Configuration config;
  private final String classpath;

  FlinkProcesses(
      Path workDir, Path configDir, Path logDir, Configuration config, String classpath) {
    this.workDir = workDir;
    this.configDir = configDir;
    this.logDir = logDir;
    this.config = config;
    this.classpath = classpath;
  }

  /** A session cluster's JobManager ({@code StandaloneSessionClusterEntrypoint}). */
  Process startSessionJobManager() throws IOException {
    return launch(
        "jobmanager",
        JOB_MANAGER_MAIN,
        configured(jobManagerJvmOptions(), CoreOptions.FLINK_JM_JVM_OPTIONS),
        List.of());
  }

  /**
   * An application cluster's JobManager, as {@code standalone-job.sh} starts it: the entry point finds
   * the program's jars in {@code $FLINK_LIB_DIR/../usrlib}, where {@code userJars} are copied.
   */
  Process startApplicationJobManager(
      String mainClass, List<String> programArguments, List<Path> userJars) throws IOException {
    Path usrlib = Files.createDirectories(workDir.resolve("flink-home").resolve("usrlib"));
    Files.createDirectories(workDir.resolve("flink-home").resolve("lib"));
    for (Path jar : userJars) {
      Files.copy(jar, usrlib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> arguments = new ArrayList<>(List.of("--job-classname", mainClass));
    arguments.addAll(programArguments);
    return launch(
        "jobmanager",
        APPLICATION_MAIN,
        configured(jobManagerJvmOptions(), CoreOptions.FLINK_JM_JVM_OPTIONS),
        arguments);
  }

  /** TaskManager {@code index}, registering as {@link StandaloneFlinkCluster#taskManagerId}. */
  Process startTaskManager(int index) throws IOException {
    // what BashJavaUtils GET_TM_RESOURCE_PARAMS prints for the scripts: JVM flags, and every memory
    // option as "-D key=value" arguments after the main class (TaskManagerRunner's dynamic
    // properties)
    TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(config);
    List<String> arguments =
        new ArrayList<>(split(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)));
    arguments.addAll(
        List.of("-D", "taskmanager.resource-id=" + StandaloneFlinkCluster.taskManagerId(index)));
    return launch(
        "taskmanager-" + index,
        TASK_MANAGER_MAIN,
        configured(
            split(ProcessMemoryUtils.generateJvmParametersStr(spec)),
            CoreOptions.FLINK_TM_JVM_OPTIONS),
        arguments);
  }

  /** The {@code flink} command ({@code CliFrontend}) with {@code arguments}, its output to {@code output}. */
  ProcessBuilder flinkCommand(List<String> arguments, Path output) throws IOException {
    return java(
        configured(List.of(), CoreOptions.FLINK_CLI_JVM_OPTIONS),
        "flink-client.log",
        CLI_MAIN,
        arguments,
        output);
  }

  /** The last 40 lines of the log file {@code name} (empty if there is none), to quote in an error. */
  String tail(String name) throws IOException {
    Path file = logDir.resolve(name);
    if (!Files.exists(file)) {
      return "";
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())) + "\n";
  }

  private Process launch(
      String name, String mainClass, List<String> jvmOptions, List<String> arguments)
      throws IOException {
    List<String> withConfigDir = new ArrayList<>(List.of("--configDir", configDir.toString()));
    withConfigDir.addAll(arguments);
    ProcessBuilder builder =
        java(jvmOptions, name + ".log", mainClass, withConfigDir, logDir.resolve(name + ".out"));
    builder
        .environment()
        .put("FLINK_LIB_DIR", workDir.resolve("flink-home").resolve("lib").toString());
    return builder.start();
  }

  /**
   * A JVM running {@code mainClass} on Flink's classpath, logging to {@code logFile} under the log dir;
   * its command line, then its output, go to {@code output}.
   */
  private ProcessBuilder java(
      List<String> jvmOptions,
      String logFile,
      String mainClass,
      List<String> arguments,
      Path output)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(JAVA_17_OPTS);
    command.add("-Dlog.file=" + logDir.resolve(logFile));
    command.add("-Dlog4j.configurationFile=" + configDir.resolve("log4j.properties").toUri());
    command.add("-classpath");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(arguments);
    Files.writeString(output, String.join(" ", command) + "\n\n", StandardCharsets.UTF_8);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
    // what the scripts export: the config dir, and no inherited Flink or Hadoop settings of the
    // test JVM
    builder.environment().put("FLINK_CONF_DIR", configDir.toString());
    builder.environment().remove("HADOOP_CLASSPATH");
    builder.environment().remove("HADOOP_CONF_DIR");
    return builder;
  }

  /**
   * {@code flags}, then what the scripts add from the configuration ({@code bin/config.sh}): {@code
   * env.java.opts.all}, then the process's own ({@code env.java.opts.jobmanager}, {@code .taskmanager}
   * or {@code .client}).
   */
  private List<String> configured(List<String> flags, ConfigOption<String> processOptions) {
    List<String> options = new ArrayList<>(flags);
    options.addAll(split(config.getOptional(CoreOptions.FLINK_JVM_OPTIONS).orElse("")));
    options.addAll(split(config.getOptional(processOptions).orElse("")));
    return options;
  }

  private List<String> jobManagerJvmOptions() {
    JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(config);
    return split(JobManagerProcessUtils.generateJvmParametersStr(spec, config));
  }

  private static List<String> split(String flags) {
    return Arrays.stream(flags.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
  }
}
