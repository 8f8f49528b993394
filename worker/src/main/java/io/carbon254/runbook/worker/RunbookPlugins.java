package io.carbon254.runbook.worker;

import io.carbon254.runbook.engine.RunbookDefinition;
import io.carbon254.runbook.Runbooks;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** The built-in runbooks plus every {@link RunbookPlugin} on the classpath. */
public final class RunbookPlugins {

  private RunbookPlugins() {}

  public static List<RunbookPlugin> all() {
    List<RunbookPlugin> plugins = new ArrayList<>();
    plugins.add(new BuiltInRunbooks());
    ServiceLoader.load(RunbookPlugin.class).forEach(plugins::add);
    return plugins;
  }

  public static List<RunbookDefinition> runbooks() {
    return all().stream().flatMap(p -> p.runbooks().stream()).toList();
  }

  public static Optional<RunbookDefinition> find(String id) {
    return runbooks().stream().filter(d -> d.id().equals(id)).findFirst();
  }
}
