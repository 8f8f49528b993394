package io.carbon254.runbook.activities;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Desired against actual, as plain code: the fields an adapter owns in an object (its labels and
 * every top-level field but {@code status}) and the paths where the cluster's object does not hold
 * them. Only paths are reported, never values (a Secret's data differs by path, not by content).
 */
public final class KubernetesDiff {

  private KubernetesDiff() {}

  /** The fields an adapter owns: labels, annotations it sets, and every top-level field except status. */
  public static Map<String, Object> desiredFields(GenericKubernetesResource desired) {
    Map<String, Object> fields = new LinkedHashMap<>();
    Map<String, Object> meta = metadata(desired);
    if (!meta.isEmpty()) {
      fields.put("metadata", meta);
    }
    desired.getAdditionalProperties().forEach((k, v) -> {
      if (!"status".equals(k)) {
        fields.put(k, v);
      }
    });
    return fields;
  }

  /** The same view of an object read from the cluster. */
  public static Map<String, Object> actualFields(GenericKubernetesResource actual) {
    Map<String, Object> fields = new LinkedHashMap<>(actual.getAdditionalProperties());
    fields.put("metadata", metadata(actual));
    return fields;
  }

  /** The paths ({@code spec.objectStorage.bucket}) where {@code actual} does not hold {@code desired}; empty: nothing to do. */
  public static List<String> drift(GenericKubernetesResource desired, GenericKubernetesResource actual) {
    List<String> out = new ArrayList<>();
    drift(desiredFields(desired), actualFields(actual), "", out);
    return out;
  }

  /** Maps: every desired key must be held; lists: same length and elements; scalars: same JSON text. */
  static void drift(Object desired, Object actual, String path, List<String> out) {
    if (desired instanceof Map<?, ?> d) {
      Map<?, ?> a = actual instanceof Map<?, ?> m ? m : Map.of();
      for (Map.Entry<?, ?> e : d.entrySet()) {
        drift(e.getValue(), a.get(e.getKey()), path.isEmpty() ? e.getKey().toString() : path + "." + e.getKey(), out);
      }
    } else if (!same(desired, actual)) {
      out.add(path);
    }
  }

  private static boolean same(Object desired, Object actual) {
    if (desired instanceof List<?> d && actual instanceof List<?> a) {
      if (d.size() != a.size()) {
        return false;
      }
      for (int i = 0; i < d.size(); i++) {
        if (!same(d.get(i), a.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (desired instanceof Map<?, ?> d && actual instanceof Map<?, ?> a) {
      // Inside a list an element is the whole value: no extra keys either.
      List<String> out = new ArrayList<>();
      drift(d, a, "", out);
      return out.isEmpty() && d.size() == a.size();
    }
    if (desired == null || actual == null) {
      return desired == actual;
    }
    // JSON numbers and booleans may come back as other types or strings.
    return desired.toString().equals(actual.toString());
  }

  private static Map<String, Object> metadata(GenericKubernetesResource r) {
    Map<String, Object> meta = new LinkedHashMap<>();
    if (r.getMetadata() != null && r.getMetadata().getLabels() != null && !r.getMetadata().getLabels().isEmpty()) {
      meta.put("labels", r.getMetadata().getLabels());
    }
    if (r.getMetadata() != null && r.getMetadata().getAnnotations() != null && !r.getMetadata().getAnnotations().isEmpty()) {
      meta.put("annotations", r.getMetadata().getAnnotations());
    }
    return meta;
  }
}
