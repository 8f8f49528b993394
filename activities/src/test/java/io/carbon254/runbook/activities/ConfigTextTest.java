package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConfigTextTest {

  private static final String INI = "[server]\nroot_url = https://grafana.254carbon.com\n\n"
      + "[auth.proxy]\n; header_name = ignored\nenabled = true\nheader_name = CF_Access-User\n\n[security]\nadmin_user = admin\n";

  @Test
  void anIniSettingIsReadFromItsSectionOnlyAndCommentsDoNotCount() {
    assertThat(ConfigText.Ini.get(INI, "auth.proxy", "header_name")).isEqualTo("CF_Access-User");
    assertThat(ConfigText.Ini.get(INI, "auth", "header_name")).isNull();
    assertThat(ConfigText.Ini.get(INI, "security", "admin_user")).isEqualTo("admin");
  }

  @Test
  void anIniSettingIsReplacedInPlaceAddedToItsSectionOrToANewSectionAndEveryOtherLineStays() {
    String replaced = ConfigText.Ini.set(INI, "auth.proxy", "header_name", "X-WEBAUTH-USER");
    assertThat(replaced).isEqualTo(INI.replace("header_name = CF_Access-User", "header_name = X-WEBAUTH-USER"));
    String added = ConfigText.Ini.set(INI, "auth.proxy", "auto_sign_up", "true");
    assertThat(added).contains("header_name = CF_Access-User\nauto_sign_up = true\n\n[security]");
    String section = ConfigText.Ini.set(INI, "auth", "disable_login_form", "true");
    assertThat(section).endsWith("admin_user = admin\n\n[auth]\ndisable_login_form = true\n");
    assertThat(ConfigText.Ini.get(section, "auth", "disable_login_form")).isEqualTo("true");
    assertThat(ConfigText.Ini.set("", "auth.proxy", "enabled", "true")).isEqualTo("[auth.proxy]\nenabled = true\n");
  }

  @Test
  void pythonAssignmentsAreReadWithoutTheirCommentAndReplacedOrAppended() {
    String py = "# Superset\nAUTH_TYPE = 3  # AUTH_REMOTE_USER\nAUTH_REMOTE_USER_ENV_VAR = \"HTTP_CF_ACCESS_USER\"\n";
    assertThat(ConfigText.Python.get(py, "AUTH_TYPE")).isEqualTo("3");
    assertThat(ConfigText.Python.unquoted(ConfigText.Python.get(py, "AUTH_REMOTE_USER_ENV_VAR"))).isEqualTo("HTTP_CF_ACCESS_USER");
    assertThat(ConfigText.Python.set(py, "AUTH_TYPE", "AUTH_REMOTE_USER")).contains("\nAUTH_TYPE = AUTH_REMOTE_USER\n");
    assertThat(ConfigText.Python.set(py, "ENABLE_PROXY_FIX", "True")).endsWith("\"HTTP_CF_ACCESS_USER\"\nENABLE_PROXY_FIX = True\n");
    assertThat(ConfigText.Python.ensureLine(py, "import os")).startsWith("# Superset\nimport os\nAUTH_TYPE");
    assertThat(ConfigText.Python.ensureLine("import os\n", "import os")).isEqualTo("import os\n");
  }

  @Test
  void aHeaderReachesAWsgiApplicationUnderItsEnvironName() {
    assertThat(ConfigText.wsgiEnviron("CF_Access-User")).isEqualTo("HTTP_CF_ACCESS_USER");
    assertThat(ConfigText.wsgiEnviron("X-WEBAUTH-USER")).isEqualTo("HTTP_X_WEBAUTH_USER");
  }
}
