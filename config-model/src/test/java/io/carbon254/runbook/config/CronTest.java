package io.carbon254.runbook.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CronTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "0 2 * * *", "0 */6 * * *", "0 3 * * *", "*/15 * * * *", "0 0 1 1 0", "59 23 31 12 7",
      "0 8-18/2 * * 1-5", "0,30 9,17 * * *", "5 4 * * 0,6", "  0   2 * * *  ", "0 0 1-15/3 */2 *",
      "*/1 5-5 * * *", "0059 0023 * * *"})
  void acceptsStandardFiveFieldExpressions(String cron) {
    Cron.validate(cron);
    assertThat(Cron.isValid(cron)).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "0 2 * *         | '0 2 * *' has 4 fields; a cron expression has 5 (minute hour day-of-month month day-of-week)",
      "0 0 2 * * *     | '0 0 2 * * *' has 6 fields; a cron expression has 5 (minute hour day-of-month month day-of-week)",
      "60 2 * * *      | '60 2 * * *': minute field '60': 60 is outside 0-59",
      "0 24 * * *      | '0 24 * * *': hour field '24': 24 is outside 0-23",
      "0 2 0 * *       | '0 2 0 * *': day-of-month field '0': 0 is outside 1-31",
      "0 2 * 13 *      | '0 2 * 13 *': month field '13': 13 is outside 1-12",
      "0 2 * * 8       | '0 2 * * 8': day-of-week field '8': 8 is outside 0-7",
      "0 */0 * * *     | '0 */0 * * *': hour field '*/0': step must be at least 1",
      "0 5-3 * * *     | '0 5-3 * * *': hour field '5-3': range start is after its end",
      "0 2 * * MON     | '0 2 * * MON': day-of-week field 'MON': expected *, a number, a range a-b or a step */n",
      "0 2/3 * * *     | '0 2/3 * * *': hour field '2/3': a step needs * or a range before it",
      "0 1,,2 * * *    | '0 1,,2 * * *': hour field '': expected *, a number, a range a-b or a step */n",
      "00059 2 * * *   | '00059 2 * * *': minute field '00059': expected *, a number, a range a-b or a step */n",
      "@daily          | '@daily' has 1 fields; a cron expression has 5 (minute hour day-of-month month day-of-week)"})
  void rejectsWithTheFieldAndTheReason(String cron, String message) {
    assertThatThrownBy(() -> Cron.validate(cron)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    assertThat(Cron.isValid(cron)).isFalse();
  }
}
