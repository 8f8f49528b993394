package io.carbon254.runbook.sandbox;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every informer-driven simulator shares: its thread, its handlers, and what it does when it closes. */
final class Informers {

  private static final Logger log = LoggerFactory.getLogger(Informers.class);

  private Informers() {}

  /** The one daemon thread a simulator acts on. */
  static ScheduledExecutorService executor(String threadName) {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  /** A handler that looks at every object added or changed (a deletion needs nothing). */
  static <T> ResourceEventHandler<T> onAddOrUpdate(Consumer<T> examine) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        examine.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        examine.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {}
    };
  }

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
