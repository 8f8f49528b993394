package io.carbon254.runbook.engine;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Every log line of a test, with its exceptions' messages, to prove a planted secret is in none. */
public final class LogCapture implements AutoCloseable {

  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture() {
    appender.start();
    root().addAppender(appender);
  }

  public static LogCapture start() {
    return new LogCapture();
  }

  public List<String> lines() {
    synchronized (appender.list) {
      return appender.list.stream().map(e -> e.getFormattedMessage() + throwableText(e.getThrowableProxy())).toList();
    }
  }

  @Override
  public void close() {
    root().detachAppender(appender);
  }

  private static String throwableText(IThrowableProxy t) {
    return t == null ? "" : " " + t.getClassName() + ": " + t.getMessage() + throwableText(t.getCause());
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
