package dev.herald.kafka.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoggedLinesTest {
  private final List<String> lines = new ArrayList<>();
  private final PrintStream out = new PrintStream(new LoggedLines(lines::add), false, UTF_8);

  @Test
  void eachLineIsHandedOnWithoutItsTerminator() {
    out.print("Formatting ");
    out.flush(); // a flush does not end the line
    out.println("metadata directory /tmp/x");
    out.print("second\r\nthird é\n");

    assertThat(lines).containsExactly("Formatting metadata directory /tmp/x", "second", "third é");
  }

  @Test
  void anUnfinishedLineIsHandedOnWhenTheStreamCloses() {
    out.print("no newline");
    assertThat(lines).isEmpty();

    out.close();

    assertThat(lines).containsExactly("no newline");
  }

  @Test
  void aLineLongerThanTheLimitIsHandedOnInPieces() {
    out.println("x".repeat(LoggedLines.MAX_LINE_BYTES + 10));

    assertThat(lines).containsExactly("x".repeat(LoggedLines.MAX_LINE_BYTES), "x".repeat(10));
  }
}
