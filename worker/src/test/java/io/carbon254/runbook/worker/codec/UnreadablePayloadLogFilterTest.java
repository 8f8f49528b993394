package io.carbon254.runbook.worker.codec;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The SDK's stack traces about a payload the worker cannot decrypt are dropped (the worker said it once); others stay. */
class UnreadablePayloadLogFilterTest {

  @Test
  void onlyTheFailuresOfAnUnreadablePayloadAreDropped() {
    UnreadablePayloadLogFilter.install();
    UnreadablePayloadLogFilter.install();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertThat(context.getTurboFilterList()).filteredOn(UnreadablePayloadLogFilter.class::isInstance).hasSize(1);
    Logger logger = context.getLogger("io.temporal.internal.replay.ReplayWorkflowTaskHandler");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    logger.setAdditive(false); // kept here, not printed
    try {
      RuntimeException unreadable = new RuntimeException("Failure processing workflow task",
          new RuntimeException("WorkflowTask: failure", new UnreadablePayloadException("k1", "no keyring")));
      logger.warn("Workflow task processing failure", unreadable);
      logger.error("uncaught exception {}", "Attempt=2", unreadable);
      logger.warn("Workflow task processing failure", new IllegalStateException("something else"));

      assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
          .containsExactly("Workflow task processing failure");
      assertThat(appender.list.get(0).getThrowableProxy().getMessage()).isEqualTo("something else");
    } finally {
      logger.detachAppender(appender);
      logger.setAdditive(true);
    }
  }
}
