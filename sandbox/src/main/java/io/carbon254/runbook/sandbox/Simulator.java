package io.carbon254.runbook.sandbox;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A small controller that plays a part of the platform the CRUD mock does not run (the mock
 * stores objects; nothing acts on them). The {@link Sandbox} starts each simulator after seeding
 * and closes it, in reverse order, before stopping the API server.
 *
 * <p>A simulator should react through watches or informers on {@code client}, write only
 * {@code status} (or what the simulated controller would write), and never throw out of its
 * handlers: a failed reaction is logged and tried again on the next event.
 */
public interface Simulator extends AutoCloseable {

  /** A short name for logs. */
  default String name() {
    return getClass().getSimpleName();
  }

  /** Starts watching; returns once the simulator is ready to react. */
  void start(KubernetesClient client);

  /** Stops watching and releases threads; must be safe to call twice. */
  @Override
  void close();
}
