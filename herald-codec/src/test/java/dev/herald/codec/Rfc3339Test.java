package dev.herald.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Rfc3339Test {
  @Test
  void readsWhatInstantWritesAsInstantParseDoes() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 100_000; i++) {
      // Years 0000 to 9999, whole seconds and every fraction length Instant.toString writes.
      long seconds = random.nextLong(-62_167_219_200L, 253_402_300_800L);
      int nanos =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
          };
      String text = Instant.ofEpochSecond(seconds, nanos).toString();
      assertThat(Rfc3339.parse(text)).as(text).isEqualTo(Instant.parse(text));
    }
  }

  @Test
  void writesWhatInstantToStringWrites() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 100_000; i++) {
      long millis =
          switch (i % 3) {
            case 0 ->
                random.nextLong(-62_167_219_200_000L, 253_402_300_800_000L); // years 0000 to 9999
            case 1 -> random.nextLong(-62_167_219_200_000L, 253_402_300_800_000L) / 1000 * 1000;
            default ->
                random.nextLong(-100_000_000_000_000L, 300_000_000_000_000L); // other years too
          };
      String expected = Instant.ofEpochMilli(millis).toString();
      assertThat(new String(Rfc3339.utf8(millis), StandardCharsets.US_ASCII))
          .as(expected)
          .isEqualTo(expected);
    }
  }

  @Test
  void leavesEverythingElseToInstantParse() {
    for (String text :
        List.of(
            "2026-01-02T03:04:05.1Z",
            "2026-01-02T03:04:05.12345678Z",
            "2026-01-02T04:04:05+01:00",
            "2026-01-02t03:04:05z",
            "2016-12-31T23:59:60Z",
            "+12026-01-02T03:04:05Z",
            "2024-02-29T00:00:00Z",
            "2026-01-02T24:00:00Z",
            "2026-01-02T03:04:05.Z")) {
      assertThat(Rfc3339.parse(text)).as(text).isEqualTo(Instant.parse(text));
    }
    for (String text :
        List.of(
            "2026-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-01-02T03:04:05.1234567890Z",
            "2026-01-0xT03:04:05Z",
            "2026-01-02T03:04:05",
            "2026-01-02 03:04:05Z",
            "")) {
      assertThatThrownBy(() -> Rfc3339.parse(text))
          .as(text)
          .isInstanceOf(DateTimeParseException.class);
    }
  }
}
