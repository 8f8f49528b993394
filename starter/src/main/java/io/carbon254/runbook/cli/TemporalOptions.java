package io.carbon254.runbook.cli;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.InvalidConfigException;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.RunbookLauncher;
import io.carbon254.runbook.worker.StartupException;
import io.carbon254.runbook.worker.TemporalConnection;
import io.carbon254.runbook.worker.codec.Keyring;
import io.carbon254.runbook.worker.codec.PayloadEncryption;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where Temporal and the platform configuration are: shared by the commands that talk to runs. */
final class TemporalOptions {

  @Option(names = "--address", paramLabel = "HOST:PORT",
      description = "Temporal frontend (default: TEMPORAL_ADDRESS, temporal.toml, or 127.0.0.1:7233).")
  String address;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Platform configuration (default: RUNBOOK_CONFIG, or the built-in config/254carbon.yaml).")
  Path config;

  @Option(names = "--platform", paramLabel = "NAME",
      description = "Platform id for runbook names without one (default: the configuration's name).")
  String platform;

  @Option(names = "--task-queue", paramLabel = "QUEUE", defaultValue = RunbookLauncher.TASK_QUEUE,
      description = "Task queue of the runbook workers (default: ${DEFAULT-VALUE}).")
  String taskQueue;

  @Option(names = "--codec-keys", paramLabel = "FILE",
      description = "Keyring for payload encryption (default: " + Keyring.ENV + "; none: payloads are not encrypted).")
  Path codecKeys;

  /** Who acts: --as, else RUNBOOK_USER, else the login name. */
  static String actor(String as) {
    if (as != null && !as.isBlank()) {
      return as;
    }
    String env = System.getenv("RUNBOOK_USER");
    return env != null && !env.isBlank() ? env : System.getProperty("user.name");
  }

  PlatformConfig loadConfig() {
    Path file = config != null ? config : envConfig();
    try {
      return file == null ? ConfigLoader.loadDefault() : ConfigLoader.load(file);
    } catch (InvalidConfigException e) {
      throw new CliException(ExitCodes.FAILED, e.getMessage());
    }
  }

  private static Path envConfig() {
    String env = System.getenv("RUNBOOK_CONFIG");
    return env == null || env.isBlank() ? null : Path.of(env);
  }

  /** {@code backup-activation} → {@code 254carbon/backup-activation}; a full workflow id stays as it is. */
  String workflowId(String run) {
    if (run.contains("/")) {
      return run;
    }
    String name = platform != null ? platform : loadConfig().name();
    return name + "/" + run;
  }

  /** The payload encryption of {@code --codec-keys}, else of {@code RUNBOOK_CODEC_KEYS}, else none. */
  PayloadEncryption encryption() {
    return CodecCommands.keyring(codecKeys);
  }

  TemporalConnection connect() {
    PayloadEncryption encryption = encryption();
    try {
      return TemporalConnection.connect(address, null, encryption);
    } catch (StartupException e) {
      throw new CliException(ExitCodes.UNAVAILABLE, e.getMessage());
    }
  }
}
