package io.carbon254.runbook.engine;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.SearchAttributeKey;
import java.util.Map;

/**
 * The typed search attributes every run keeps up to date, so that the Web UI and {@code runbook
 * list} can filter runs ({@code RunbookState = "AWAITING_APPROVAL"}). A Temporal namespace must
 * have them registered: docker-compose's setup step, {@code runbook dev} and the tests do it from
 * {@link #ALL}.
 */
public final class RunbookSearchAttributes {

  public static final SearchAttributeKey<String> RUNBOOK_NAME = SearchAttributeKey.forKeyword("RunbookName");
  public static final SearchAttributeKey<String> RUNBOOK_STATE = SearchAttributeKey.forKeyword("RunbookState");
  public static final SearchAttributeKey<String> RUNBOOK_STEP = SearchAttributeKey.forKeyword("RunbookStep");
  public static final SearchAttributeKey<Boolean> AWAITING_APPROVAL = SearchAttributeKey.forBoolean("AwaitingApproval");
  public static final SearchAttributeKey<String> PLATFORM = SearchAttributeKey.forKeyword("Platform");
  /** The production readiness (percent) a run reports, live: platform-check's and platform's. */
  public static final SearchAttributeKey<Long> READINESS_SCORE = SearchAttributeKey.forLong("ReadinessScore");

  /** Name → type, for registration. */
  public static final Map<String, IndexedValueType> ALL = Map.of(
      RUNBOOK_NAME.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      RUNBOOK_STATE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      RUNBOOK_STEP.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      AWAITING_APPROVAL.getName(), IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
      PLATFORM.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      READINESS_SCORE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_INT);

  /** The name the Temporal CLI uses for a type ({@code --search-attribute Name=Keyword}, {@code --type Keyword}). */
  public static String cliType(IndexedValueType type) {
    return switch (type) {
      case INDEXED_VALUE_TYPE_KEYWORD -> "Keyword";
      case INDEXED_VALUE_TYPE_BOOL -> "Bool";
      case INDEXED_VALUE_TYPE_TEXT -> "Text";
      case INDEXED_VALUE_TYPE_INT -> "Int";
      case INDEXED_VALUE_TYPE_DOUBLE -> "Double";
      case INDEXED_VALUE_TYPE_DATETIME -> "Datetime";
      case INDEXED_VALUE_TYPE_KEYWORD_LIST -> "KeywordList";
      default -> throw new IllegalArgumentException("no Temporal CLI name for search attribute type " + type);
    };
  }

  private RunbookSearchAttributes() {}
}
