package io.carbon254.runbook.sandbox;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every informer-driven simulator does when it closes. */
final class Informers {

  private static final Logger log = LoggerFactory.getLogger(Informers.class);

  private Informers() {}

  /** Closes every informer (a failure is logged, the others still close), empties the list, stops the executor. */
  static void stop(List<? extends SharedIndexInformer<?>> informers, ExecutorService executor) {
    for (SharedIndexInformer<?> informer : informers) {
      try {
        informer.close();
      } catch (RuntimeException e) {
        log.debug("closing an informer failed", e);
      }
    }
    informers.clear();
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
