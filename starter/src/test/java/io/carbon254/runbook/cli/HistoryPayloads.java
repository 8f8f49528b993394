package io.carbon254.runbook.cli;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.SearchAttributes;
import io.temporal.api.history.v1.History;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every {@link Payload} of an exported history, wherever the event types keep one (inputs, results,
 * signals, updates, markers, failures' encoded attributes, user metadata, ...), found by walking the
 * protobuf messages rather than by knowing the event types. Two kinds are readable by design: search
 * attributes (the server indexes them; no codec touches them) and the SDK's own bookkeeping in its
 * markers (a version marker's change id and version, a local activity marker's id, type, time and
 * attempt metadata), which the SDK writes with its standard converter, never through the codec.
 */
final class HistoryPayloads {

  /** A payload, where it was ({@code events[3].workflowExecutionStartedEventAttributes.input.payloads[0]}). */
  record Found(String path, Payload payload, boolean searchAttribute, boolean sdkBookkeeping) {

    /** Search attributes and the SDK's marker bookkeeping: never encrypted, whatever the codec. */
    boolean readableByDesign() {
      return searchAttribute || sdkBookkeeping;
    }

    /** Whether the payload's raw bytes (metadata and data) hold {@code text} as UTF-8. */
    boolean holds(String text) {
      return indexOf(payload.toByteArray(), text.getBytes(StandardCharsets.UTF_8)) >= 0;
    }
  }

  /** The keys of marker details the SDK writes itself (VersionMarkerUtils, LocalActivityStateMachine). */
  static final java.util.Set<String> SDK_MARKER_KEYS = java.util.Set.of("changeId", "version",
      "versionSearchAttributeUpdated", "activityId", "type", "time", "meta");

  private static final java.util.regex.Pattern MARKER_DETAIL =
      java.util.regex.Pattern.compile(".*\\.markerRecordedEventAttributes\\.details\\[([^]]+)]\\.value\\.payloads\\[\\d+]");

  private HistoryPayloads() {}

  static List<Found> of(History history) {
    List<Found> found = new ArrayList<>();
    walk(history, "history", false, found);
    return found;
  }

  private static void walk(Message message, String path, boolean inSearchAttributes, List<Found> found) {
    if (message instanceof Payload payload) {
      java.util.regex.Matcher marker = MARKER_DETAIL.matcher(path);
      found.add(new Found(path, payload, inSearchAttributes, marker.matches() && SDK_MARKER_KEYS.contains(marker.group(1))));
      return;
    }
    boolean searchAttributes = inSearchAttributes || message instanceof SearchAttributes;
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      FieldDescriptor descriptor = field.getKey();
      if (descriptor.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      String name = path + "." + descriptor.getJsonName();
      if (descriptor.isRepeated()) { // lists, and maps (as lists of key/value entries)
        List<?> elements = (List<?>) field.getValue();
        for (int i = 0; i < elements.size(); i++) {
          Message element = (Message) elements.get(i);
          String key = descriptor.isMapField() ? String.valueOf(element.getField(element.getDescriptorForType()
              .findFieldByName("key"))) : String.valueOf(i);
          walk(element, name + "[" + key + "]", searchAttributes, found);
        }
      } else {
        walk((Message) field.getValue(), name, searchAttributes, found);
      }
    }
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
