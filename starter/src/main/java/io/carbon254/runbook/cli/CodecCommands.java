package io.carbon254.runbook.cli;

import io.carbon254.runbook.worker.StartupException;
import io.carbon254.runbook.worker.codec.CodecServer;
import io.carbon254.runbook.worker.codec.Keyring;
import io.carbon254.runbook.worker.codec.KeyringException;
import io.carbon254.runbook.worker.codec.PayloadEncryption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Payload encryption: the codec endpoint for the Web UI, and the keyring. */
final class CodecCommands {

  private CodecCommands() {}

  static final String KEYS_OPTION_HELP = "Keyring (default: " + Keyring.ENV + ").";

  @Command(name = "codec-server", mixinStandardHelpOptions = true,
      description = {"Serve the keyring's codec endpoints (POST /decode, /encode) so that the Temporal Web UI shows",
          "encrypted payloads decoded to whoever runs it: point the UI at the printed URL (temporal server start-dev",
          "--ui-codec-endpoint URL, TEMPORAL_CODEC_ENDPOINT of the temporalio/ui image, or the UI's Data Encoder",
          "settings). Whoever reaches it can decode: it listens on 127.0.0.1 unless told otherwise."})
  static final class Server implements Callable<Integer> {
    @Option(names = "--codec-keys", paramLabel = "FILE", description = KEYS_OPTION_HELP)
    Path keys;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + CodecServer.DEFAULT_PORT,
        description = "Port (0: any free port; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--address", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
        description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--web-ui-origin", paramLabel = "URL",
        description = "Origin of the Web UI whose browsers may call it (repeatable; default: RUNBOOK_WEB_UI, else"
            + " http://127.0.0.1:8233 and http://localhost:8233).")
    List<String> origins;

    @Override
    public Integer call() throws InterruptedException {
      PayloadEncryption encryption = keyring(keys);
      if (!encryption.on()) {
        throw new CliException(ExitCodes.USAGE, "the codec server needs a keyring: --codec-keys FILE or " + Keyring.ENV
            + "=FILE (make one with 'runbook codec keygen FILE')");
      }
      InetSocketAddress listen;
      try {
        listen = new InetSocketAddress(InetAddress.getByName(address), port);
      } catch (UnknownHostException | IllegalArgumentException e) {
        throw new CliException(ExitCodes.USAGE, "--address " + address + " --port " + port + " is not an address to listen on");
      }
      CodecServer server;
      try {
        server = new CodecServer(listen, encryption, origins != null && !origins.isEmpty() ? origins : defaultOrigins());
      } catch (StartupException e) {
        throw new CliException(ExitCodes.UNAVAILABLE, e.getMessage());
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.close();
        stopped.countDown();
      }, "runbook-codec-server-shutdown"));
      System.out.println("codec server: " + server.url() + " (POST /decode, /encode) with " + encryption.keyring());
      System.out.println("  Web UI origins allowed: " + String.join(", ", server.origins()));
      System.out.println("  point the Web UI at it: temporal server start-dev --ui-codec-endpoint " + server.url()
          + ", or TEMPORAL_CODEC_ENDPOINT=" + server.url() + " for the temporalio/ui image");
      System.out.println("Ctrl-C stops it.");
      stopped.await();
      return ExitCodes.OK;
    }

    private static List<String> defaultOrigins() {
      String webUi = System.getenv("RUNBOOK_WEB_UI");
      return webUi != null && !webUi.isBlank() ? List.of(webUi) : List.of("http://127.0.0.1:8233");
    }
  }

  @Command(name = "codec", mixinStandardHelpOptions = true,
      description = "The keyring of payload encryption: make keys, check a keyring.",
      subcommands = {Keygen.class, Check.class})
  static final class Codec implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: keygen or check");
    }
  }

  @Command(name = "keygen", mixinStandardHelpOptions = true,
      description = {"Add a new random AES-256 key to a keyring file (made, readable by you only, if missing) and make",
          "it the active key; the older keys stay, so what they encrypted stays readable. Prints key ids, never keys.",
          "Rotation: give every worker, CLI and codec server the new keyring with --no-activate first, then activate."})
  static final class Keygen implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The keyring file.")
    Path file;

    @Option(names = "--id", paramLabel = "ID", description = "The new key's id (default: today's date, e.g. 2026-11-29).")
    String id;

    @Option(names = "--no-activate", description = "Add the key without making it active (yet).")
    boolean noActivate;

    @Override
    public Integer call() {
      try {
        Keyring keyring;
        if (Files.exists(file)) {
          Keyring existing = Keyring.load(file);
          keyring = existing.withNewKey(id != null ? id : freshId(existing), !noActivate);
        } else {
          if (noActivate) {
            throw new CliException(ExitCodes.USAGE, "a new keyring's first key is its active key: leave out --no-activate");
          }
          keyring = Keyring.generate(file, id != null ? id : today());
        }
        keyring.write(file);
        System.out.println(keyring);
        return ExitCodes.OK;
      } catch (KeyringException e) {
        throw new CliException(ExitCodes.FAILED, e.getMessage());
      }
    }

    private static String today() {
      return LocalDate.now(ZoneOffset.UTC).toString();
    }

    private static String freshId(Keyring keyring) {
      String base = today();
      String id = base;
      for (int n = 2; keyring.ids().contains(id); n++) {
        id = base + "." + n;
      }
      return id;
    }
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Check a keyring: every key 32 bytes of base64, the active key among them. Prints key ids, never keys.")
  static final class Check implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "0..1", description = KEYS_OPTION_HELP)
    Path file;

    @Override
    public Integer call() {
      PayloadEncryption encryption = keyring(file);
      if (!encryption.on()) {
        throw new CliException(ExitCodes.USAGE, "which keyring? give FILE or set " + Keyring.ENV);
      }
      System.out.println(encryption.keyring() + ": valid");
      return ExitCodes.OK;
    }
  }

  static PayloadEncryption keyring(Path file) {
    try {
      return PayloadEncryption.configured(file);
    } catch (KeyringException e) {
      throw new CliException(ExitCodes.FAILED, e.getMessage());
    }
  }
}
