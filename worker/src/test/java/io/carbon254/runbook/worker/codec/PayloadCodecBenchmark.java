package io.carbon254.runbook.worker.codec;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.engine.PlatformActivities;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Not a test: what payload encryption adds per payload — the codec's encrypt + decrypt next to the
 * SDK's JSON serialization + deserialization of the same value, on a gate decision (small), a run's
 * input (the platform description) and a large value — in time (medians after warm-up) and in
 * bytes. Run from the repository's root:
 *
 * <pre>
 * mvn -B -q -pl worker -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test \
 *   &amp;&amp; java -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp worker/target/test-classes:worker/target/classes:$(cat worker/target/bench.cp) \
 *        io.carbon254.runbook.worker.codec.PayloadCodecBenchmark
 * </pre>
 */
public final class PayloadCodecBenchmark {

  record Decision(String gate, int instance, String actor) {}

  public static void main(String[] args) throws Exception {
    Path file = Files.createTempFile("keyring", ".json");
    try {
      Keyring.generate(file, "bench").write(file);
      EncryptionCodec codec = PayloadEncryption.with(Keyring.load(file)).codec();
      DataConverter plain = DefaultDataConverter.STANDARD_INSTANCE;
      char[] large = new char[256 * 1024];
      Arrays.fill(large, 'x');
      List<Object> values = List.of(new Decision("approve-plan", 1, "bob"),
          new PlatformActivities.LoadedPlatform(ConfigLoader.loadDefault(), "c97c86e5c42d3a89"), new String(large));
      List<String> names = List.of("gate decision", "the platform a run loads", "256 KiB string");
      System.out.printf("%-34s %9s %9s %16s %16s%n", "payload", "plain B", "encr. B", "JSON µs (enc+dec)",
          "AES-GCM µs (enc+dec)");
      for (int i = 0; i < values.size(); i++) {
        Object value = values.get(i);
        Class<?> type = value.getClass();
        Payload payload = plain.toPayload(value).orElseThrow();
        int encryptedSize = codec.encode(List.of(payload)).get(0).getSerializedSize();
        Runnable json = () -> {
          if (!plain.fromPayload(plain.toPayload(value).orElseThrow(), type, type).equals(value)) {
            throw new AssertionError("the JSON round trip changed the value");
          }
        };
        Runnable aes = () -> {
          if (!codec.decode(codec.encode(List.of(payload))).get(0).equals(payload)) {
            throw new AssertionError("the codec changed the payload");
          }
        };
        median(json);
        median(aes); // warm-up, both
        System.out.printf("%-34s %9d %9d %16.1f %16.1f%n", names.get(i), payload.getSerializedSize(), encryptedSize,
            median(json), median(aes));
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** The median of {@code work}, in microseconds, over 3,000 rounds. */
  private static double median(Runnable work) {
    int rounds = 3_000;
    long[] nanos = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      long start = System.nanoTime();
      work.run();
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    return nanos[rounds / 2] / 1_000.0;
  }
}
