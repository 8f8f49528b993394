package io.carbon254.runbook.cli;

import io.carbon254.runbook.worker.StartupException;
import io.carbon254.runbook.worker.codec.UnreadablePayloadException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code runbook}: start, watch and answer the platform's runbooks; run a worker or a dev environment. */
@Command(name = "runbook", mixinStandardHelpOptions = true, version = "runbook 0.1.0",
    description = "Durable runbooks for the 254Carbon platform, on Temporal.",
    subcommands = {
        StartCommand.class,
        StatusCommand.class,
        GateCommands.Approve.class,
        GateCommands.Reject.class,
        SignCommand.class,
        DecideCommand.class,
        DoneCommand.class,
        ListCommand.class,
        SetupCommand.class,
        SmallCommands.Cancel.class,
        SmallCommands.Validate.class,
        SmallCommands.History.class,
        SmallCommands.Catalogue.class,
        WorkerCommand.class,
        DevCommand.class,
        DemoCommand.class,
        CopyImageCommand.class,
        CodecCommands.Server.class,
        CodecCommands.Codec.class,
        CommandLine.HelpCommand.class
    },
    footer = {"", "Exit codes: 0 done, 1 failed/invalid, 2 usage, 3 refused by the run, 4 not found,",
        "5 Temporal/cluster/sandbox unavailable, 6 already running, 7 no worker polls the run's task queue."})
public final class RunbookCli implements Runnable {

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: a command is missing");
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new RunbookCli());
    cli.setExecutionExceptionHandler((e, command, parsed) -> {
      if (e instanceof CliException failure) {
        command.getErr().println("runbook: " + failure.getMessage());
        return failure.exitCode;
      }
      if (e instanceof StartupException failure) {
        command.getErr().println("runbook: " + failure.getMessage());
        return ExitCodes.UNAVAILABLE;
      }
      for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
        if (cause instanceof UnreadablePayloadException unreadable) {
          command.getErr().println("runbook: cannot read the run's data: " + unreadable.getMessage());
          return ExitCodes.FAILED;
        }
      }
      throw e;
    });
    return cli.execute(args);
  }
}
