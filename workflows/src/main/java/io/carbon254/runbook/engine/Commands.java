package io.carbon254.runbook.engine;

import java.util.List;
import java.util.Locale;

/**
 * The exact commands that answer a run, shown in the Web UI's current details and in
 * notifications. The CLI implements these words; keep the two in step.
 */
public final class Commands {

  private Commands() {}

  public static String approve(String workflowId, String gate) {
    return "runbook approve " + workflowId + " --gate " + gate + " --as <you>";
  }

  public static String reject(String workflowId, String gate) {
    return "runbook reject " + workflowId + " --gate " + gate + " --as <you> --reason \"<why>\"";
  }

  /** The command that answers a failed step, offering only the answers it accepts. */
  public static String decide(String workflowId, String step, List<OperatorAction.Action> actions) {
    return "runbook decide " + workflowId + " --step " + step + " " + words(actions) + " --as <you> --reason \"<why>\"";
  }

  public static String taskDone(String workflowId, String task) {
    return "runbook done " + workflowId + " --task " + task + " --as <you> [--value V ...]";
  }

  /** The command that prints a signed signal input for the Web UI, for the gate showing {@code shownHash}. */
  public static String sign(String workflowId, String shownHash) {
    return "runbook sign " + workflowId + " --as <you> --expect-hash " + shownHash + " [--reject \"<why>\"]";
  }

  /** The JSON input of the Web UI's "Send signal" → {@code approve} for this gate instance (typed names). */
  public static String approveSignalInput(String gate, int instance, String planHash) {
    return "{\"gate\":\"" + gate + "\",\"instance\":" + instance + ",\"actor\":\"<you>\""
        + (planHash == null ? "" : ",\"planHash\":\"" + planHash + "\"") + "}";
  }


  public static String operatorSignalInput(String step, List<OperatorAction.Action> actions) {
    return "{\"step\":\"" + step + "\",\"action\":\"" + String.join("|", actions.stream().map(Enum::name).toList())
        + "\",\"actor\":\"<you>\",\"reason\":\"<why>\"}";
  }

  private static String words(List<OperatorAction.Action> actions) {
    return String.join("|", actions.stream().map(a -> a.name().toLowerCase(Locale.ROOT)).toList());
  }

  public static String taskDoneSignalInput(String task) {
    return "{\"task\":\"" + task + "\",\"actor\":\"<you>\",\"notes\":\"\",\"values\":[]}";
  }
}
