package io.carbon254.runbook.activities.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.activities.registry.SyntheticImages.Layer;
import io.carbon254.runbook.activities.registry.SyntheticImages.Pushed;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** A 256 MiB layer, copied by a JVM with a 96 MiB heap: blobs are streamed, never held. */
class RegistryLargeLayerTest {

  static final long LAYER = 256L << 20;

  @Test
  void aLayerLargerThanTheHeapIsStreamedThroughAndVerified() throws Exception {
    try (LocalRegistry source = LocalRegistry.start(); LocalRegistry target = LocalRegistry.start("big", "b1g-pass")) {
      OkHttpClient http = new OkHttpClient.Builder().readTimeout(120, TimeUnit.SECONDS).build();
      SyntheticImages images = new SyntheticImages(new RegistryClient(http, Credentials.none(), CopyOptions.defaults()));
      Pushed pushed = images.pushImage(source.ref("big/layer:1"), true, "linux", "amd64",
          List.of(Layer.of(7, LAYER), Layer.of(8, 1000)));

      List<String> command = CopyImageMain.command("96m",
          List.of(source.host() + "/big/layer:1", target.host() + "/mirror/big:1"));
      command.add(1, "-Dregistry.user=big");
      command.add(2, "-Dregistry.password=b1g-pass");
      Process copy = new ProcessBuilder(command).redirectErrorStream(true).start();
      boolean finished = copy.waitFor(180, TimeUnit.SECONDS);
      String output = new String(copy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(finished).as("the copy finished within 3 minutes").isTrue();
      assertThat(copy.exitValue()).as("exit code of the -Xmx96m copier; output:%n%s", output).isZero();
      assertThat(output).contains("RESULT " + source.host() + "/big/layer:1 " + pushed.digest() + " ");
      long hwm = Long.parseLong(output.replaceAll("(?s).*VMHWM_KB (\\d+).*", "$1"));
      System.out.println("256 MiB layer copied with -Xmx96m; peak RSS " + hwm / 1024 + " MiB");
      assertThat(hwm).as("peak RSS in KiB").isLessThan(300 * 1024);

      RegistryClient check = new RegistryClient(http, target.credentials(), CopyOptions.defaults());
      assertThat(check.getManifest(target.ref("mirror/big:1"), "1", "check").digest()).isEqualTo(pushed.digest());
      assertThat(check.blobExists(target.ref("mirror/big"), Layer.of(7, LAYER).digest(), "check")).isTrue();
    }
  }
}
