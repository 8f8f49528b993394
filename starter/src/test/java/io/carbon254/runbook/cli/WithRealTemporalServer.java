package io.carbon254.runbook.cli;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test on the real Temporal server ({@link RealTemporalServer}): a fresh one per test, in the test's directory. */
abstract class WithRealTemporalServer {

  @TempDir
  Path dir;

  RealTemporalServer temporal;

  @BeforeEach
  void startServer() throws Exception {
    temporal = RealTemporalServer.start(dir);
  }

  @AfterEach
  void stopServer() {
    if (temporal != null) {
      temporal.close();
    }
  }
}
