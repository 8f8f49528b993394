package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.worker.codec.EncryptionCodec;
import io.carbon254.runbook.worker.codec.Keyring;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Temporal Web UI of the real dev server, in headless Chromium (Debian {@code chromium} and
 * {@code chromium-driver}, driven by Selenium; nothing downloaded): a run waiting at a gate shows
 * its static summary and its current details — the step checklist and the exact command that
 * answers the gate — and the gate is answered with the UI's "Send a Signal" action. The same with
 * payload encryption on: the UI decodes (and encodes the signal) through {@code runbook
 * codec-server}. Screenshots are kept in {@code target/webui/}.
 */
class WebUiTest {

  private static final String DRILL = "254carbon/crash-drill";
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final List<Path> CHROMIUM = List.of(Path.of("/usr/lib/chromium/chromium"), Path.of("/usr/bin/chromium"));
  static final Path ARTIFACTS = Path.of("target", "webui");

  @TempDir
  Path dir;

  private RealTemporalServer temporal;
  private WebDriver browser;
  private Process codecServer;
  private String prefix = "";

  @BeforeEach
  void start() {
    browser = chromium();
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (temporal != null) {
      temporal.close();
    }
    DevEnvironment.stop(codecServer);
  }

  @Test
  void theWaitingRunShowsItsDetailsInTheWebUiAndTheGateIsAnsweredWithSendSignal() throws Exception {
    temporal = RealTemporalServer.start(dir);
    temporal.startWorker();

    theRunShowsItsDetailsAndTheGateIsAnsweredInTheWebUi();
  }

  /**
   * Payload encryption on: the history holds only ciphertext, and the Web UI, pointed at {@code
   * runbook codec-server} ({@code --ui-codec-endpoint}), shows the run decoded and encodes the
   * signal it sends through the same server.
   */
  @Test
  void withPayloadEncryptionTheWebUiShowsTheRunDecodedThroughTheCodecServer() throws Exception {
    prefix = "encrypted-";
    Path keyring = dir.resolve("keyring.json");
    Jvm.Result made = Jvm.run(Map.of(), "codec", "keygen", keyring.toString(), "--id", "webui");
    assertThat(made.exitCode()).as(made.err()).isZero();
    int uiPort = DevEnvironment.freePort();
    Path log = dir.resolve("codec-server.log");
    codecServer = Jvm.start(Map.of(Keyring.ENV, keyring.toString()), log, false, "codec-server", "--port", "0",
        "--web-ui-origin", "http://127.0.0.1:" + uiPort);
    Jvm.awaitLog(codecServer, log, "Ctrl-C stops it.");
    Matcher url = Pattern.compile("codec server: (http://127\\.0\\.0\\.1:\\d+) ")
        .matcher(Jvm.read(log));
    assertThat(url.find()).as(Jvm.read(log)).isTrue();
    temporal = RealTemporalServer.start(dir, uiPort, url.group(1));
    temporal.useCodecKeys(keyring);
    temporal.startWorker();

    theRunShowsItsDetailsAndTheGateIsAnsweredInTheWebUi();

    List<HistoryPayloads.Found> payloads = HistoryPayloads.of(temporal.connection().client().fetchHistory(DRILL).getHistory());
    assertThat(payloads.stream().filter(p -> !p.readableByDesign()).toList())
        .as("every payload of the run, the UI's signal too, is encrypted").isNotEmpty()
        .allSatisfy(p -> assertThat(EncryptionCodec.keyId(p.payload())).as(p.path()).isEqualTo("webui"))
        .noneMatch(p -> p.holds("254carbon") || p.holds("approve-work"));
    assertThat(payloads.stream().filter(p -> p.path().contains("workflowExecutionSignaledEventAttributes")).toList())
        .as("the signal the UI sent, encoded by the codec server").singleElement()
        .satisfies(p -> assertThat(EncryptionCodec.isEncrypted(p.payload())).isTrue());
  }

  private void theRunShowsItsDetailsAndTheGateIsAnsweredInTheWebUi() throws Exception {
    Jvm.Result started = temporal.cli("start", "crash-drill", "--option", "chunks=4", "--as", "alice",
        "--web-ui", temporal.webUi());
    assertThat(started.exitCode()).as(started.err()).isZero();
    String page = temporal.webUi() + "/namespaces/default/workflows/254carbon%2Fcrash-drill";
    assertThat(started.out()).contains("Web UI: " + page);
    temporal.awaitStatus(DRILL, "the gate to open", s -> s.openGate() != null);

    browser.get(page);
    assertThat(await("the run's page", d -> visible(d, By.cssSelector("[data-testid=workflow-id-heading]")))
        .getText()).contains(DRILL);
    await("the User Metadata tab", d -> visible(d, By.cssSelector("[data-testid=user-metadata-tab]"))).click();
    String summary = frameText("user-metadata-summary", "crash-drill on 254carbon");
    assertThat(summary).contains("crash-drill on 254carbon, started by alice");
    String details = frameText("user-metadata-current-details", "Waiting for approval");
    assertThat(details)
        .contains("crash-drill on 254carbon · AWAITING_APPROVAL · started by alice")
        .contains("✓ prepare Prepare the drill — CREATED: drill prepared")
        .contains("approve-work Gate: do the slow work")
        .contains("○ slow-work Do 4 chunks of slow work")
        .contains("Waiting for approval: approve-work #1")
        .contains("runbook approve 254carbon/crash-drill --gate approve-work --as <you>")
        .contains("runbook sign 254carbon/crash-drill --as <you> --expect-hash ");
    screenshot(prefix + "waiting-run.png");

    // The platform takes signed decisions: bob signs his approval of the gate he reviewed, for the Web UI.
    String shownHash = temporal.awaitStatus(DRILL, "the gate", st -> st.openGate() != null).openGate().shownHash();
    Jvm.Result signed = temporal.cli("sign", "crash-drill", "--as", "bob", "--expect-hash", shownHash);
    assertThat(signed.exitCode()).as(signed.err()).isZero();
    String payload = signed.out().strip();
    assertThat(payload).startsWith("{\"gate\":\"approve-work\",\"instance\":1,\"actor\":\"bob\",\"signature\":");

    // More Actions → Send a Signal → approve, with the signed payload.
    await("More Actions", d -> visible(d, By.xpath("//button[normalize-space()='More Actions']"))).click();
    await("Send a Signal", d -> visible(d, By.cssSelector("[data-testid=signal-button]"))).click();
    WebElement modal = await("the signal dialog", d -> visible(d, By.cssSelector("[data-testid=signal-confirmation-modal]")));
    modal.findElement(By.cssSelector("[data-testid=signal-select-button]")).click();
    // The signal names come from the run's __temporal_workflow_metadata query, answered by our worker.
    await("the signal 'approve' in the list", d -> modal.findElements(By.cssSelector("li[role=option]")).stream()
        .filter(WebElement::isDisplayed).filter(li -> li.getText().strip().equals("approve")).findFirst().orElse(null))
        .click();
    WebElement input = await("the signal input editor",
        d -> visibleIn(modal, By.cssSelector(".cm-content[contenteditable=true]")));
    input.click();
    input.sendKeys(payload);
    // Leave the editor first: it reformats its JSON on blur, which moves the dialog's buttons. (Not by clicking
    // elsewhere in the dialog: a click that lands outside its box — a visually hidden title — closes it.)
    ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("arguments[0].blur()", input);
    await("the payload in the editor", d -> input.getText().replaceAll("\\s", "").equals(payload.replaceAll("\\s", "")) ? input : null);
    WebElement submit = modal.findElement(By.cssSelector("[data-testid=confirm-modal-button]"));
    await("Submit to be enabled", d -> submit.isEnabled() ? submit : null).click();
    await("the dialog to close", d -> {
      try {
        return modal.isDisplayed() ? null : Boolean.TRUE;
      } catch (org.openqa.selenium.StaleElementReferenceException gone) {
        return Boolean.TRUE;
      }
    });

    assertThat(RealTemporalServer.outcome(temporal.result(DRILL))).isEqualTo(ProcessTest.UNINTERRUPTED_4_CHUNKS);
    browser.navigate().refresh();
    await("the run to show COMPLETED", d -> {
      WebElement status = visible(d, By.cssSelector("[data-testid=execution-status]"));
      return status != null && status.getText().toUpperCase(java.util.Locale.ROOT).contains("COMPLETED") ? status : null;
    });
    screenshot(prefix + "completed-run.png");
    assertThat(temporal.connection().client().fetchHistory(DRILL).getEvents().stream()
        .filter(e -> e.hasWorkflowExecutionSignaledEventAttributes())
        .map(e -> e.getWorkflowExecutionSignaledEventAttributes().getSignalName()).toList())
        .as("the gate was answered by the UI's signal").containsExactly("approve");
  }

  /** Headless Debian Chromium through the Debian chromedriver; Selenium Manager never runs, nothing is downloaded. */
  static WebDriver chromium() {
    Path binary = CHROMIUM.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new AssertionError(
        "The Web UI test needs Chromium and found none at " + CHROMIUM + ": apt-get install -y chromium chromium-driver"));
    if (!Files.isExecutable(CHROMEDRIVER)) {
      throw new AssertionError("The Web UI test needs " + CHROMEDRIVER + ": apt-get install -y chromium chromium-driver");
    }
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(binary.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1400,1250", "--lang=en-US", "--no-first-run", "--disable-extensions");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  private <T> T await(String what, Function<WebDriver, T> until) {
    try {
      return new WebDriverWait(browser, Duration.ofSeconds(30), Duration.ofMillis(200))
          .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
          .withMessage(() -> "waiting for " + what)
          .until(until::apply);
    } catch (org.openqa.selenium.TimeoutException e) {
      screenshot("failure.png");
      throw new AssertionError("no " + what + " in the Web UI within 30 s (screenshot " + ARTIFACTS.resolve("failure.png")
          + "); page text:\n" + browser.findElement(By.tagName("body")).getText(), e);
    }
  }

  /** The text of one of the UI's rendered-Markdown frames, once it contains {@code expected}. */
  private String frameText(String frameId, String expected) {
    WebElement frame = await("the frame " + frameId, d -> visible(d, By.id(frameId)));
    browser.switchTo().frame(frame);
    try {
      return await(expected + " in " + frameId, d -> {
        String text = d.findElement(By.tagName("body")).getText();
        return text.contains(expected) ? text : null;
      });
    } finally {
      browser.switchTo().defaultContent();
    }
  }

  private static WebElement visible(WebDriver driver, By by) {
    return driver.findElements(by).stream().filter(WebElement::isDisplayed).findFirst().orElse(null);
  }

  private static WebElement visibleIn(WebElement parent, By by) {
    return parent.findElements(by).stream().filter(WebElement::isDisplayed).findFirst().orElse(null);
  }

  private void screenshot(String name) {
    try {
      Files.createDirectories(ARTIFACTS);
      ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
      Files.write(ARTIFACTS.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    } catch (Exception e) {
      System.err.println("no screenshot " + name + ": " + e);
    }
  }
}
