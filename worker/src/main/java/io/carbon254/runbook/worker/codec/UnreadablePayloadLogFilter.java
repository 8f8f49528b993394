package io.carbon254.runbook.worker.codec;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Keeps a worker that cannot decrypt a run's payloads to one line per key id (logged where the
 * codec first meets it: what is missing and what to set) instead of the SDK's stack trace at every
 * retry of the run's workflow task. Other failures log as before.
 */
public final class UnreadablePayloadLogFilter extends TurboFilter {

  /** Installs the filter once in this process's logback (whatever its configuration file), if logback logs. */
  public static void install() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      synchronized (UnreadablePayloadLogFilter.class) {
        if (context.getTurboFilterList().stream().noneMatch(UnreadablePayloadLogFilter.class::isInstance)) {
          UnreadablePayloadLogFilter filter = new UnreadablePayloadLogFilter();
          filter.start();
          context.addTurboFilter(filter);
        }
      }
    }
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    Throwable thrown = t != null ? t
        : params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last ? last : null;
    for (Throwable cause = thrown; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof UnreadablePayloadException) {
        return FilterReply.DENY;
      }
    }
    return FilterReply.NEUTRAL;
  }
}
