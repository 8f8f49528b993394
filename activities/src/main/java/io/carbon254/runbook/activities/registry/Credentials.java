package io.carbon254.runbook.activities.registry;

import java.util.Map;
import java.util.Optional;

/** Who we are at a registry: a function from host (as in the image reference, e.g. {@code docker.io}) to a login. */
@FunctionalInterface
public interface Credentials {

  /** A username and password (or robot name and secret, or token). {@link #toString()} hides the secret. */
  record Login(String username, String password) {
    @Override
    public String toString() {
      return "Login[" + username + ", ****]";
    }
  }

  Optional<Login> forRegistry(String registry);

  static Credentials none() {
    return registry -> Optional.empty();
  }

  static Credentials of(Map<String, Login> byRegistry) {
    Map<String, Login> copy = Map.copyOf(byRegistry);
    return registry -> Optional.ofNullable(copy.get(registry));
  }
}
