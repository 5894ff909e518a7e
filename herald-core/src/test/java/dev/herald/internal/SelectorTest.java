package dev.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.DeadLetter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SelectorTest {

  @ParameterizedTest
  @CsvSource({
    "order.placed, order.placed, true",
    "order.placed, order.shipped, false",
    "order.*, order.placed, true",
    "order.*, order, false",
    "order.*, order.line.added, false",
    "order.#, order, true",
    "order.#, order.line.added, true",
    "#.added, order.line.added, true",
    "#.added, added, true",
    "*.line.*, order.line.added, true",
    "*.line.*, order.line, false",
    "order.#.added, order.added, true",
    "order.#.added, order.a.b.added, true",
    "order.#.added, order.a.b.removed, false",
    "#, anything.at.all, true",
    "#, herald.deadletter, false",
    "herald.*, herald.deadletter, true",
    "*.deadletter, herald.deadletter, false",
  })
  void matchesTheAmqpTopicConvention(String pattern, String type, boolean expected) {
    assertThat(Selector.forPattern(pattern).matchesType(type)).isEqualTo(expected);
  }

  interface Shape {}

  static class Square implements Shape {}

  static final class Tile extends Square {}

  @Test
  void classSelectorsMatchSupertypesAndInterfaces() {
    assertThat(Selector.forClass(Shape.class).matchesClass(Tile.class, "a.b")).isTrue();
    assertThat(Selector.forClass(Square.class).matchesClass(Tile.class, "a.b")).isTrue();
    assertThat(Selector.forClass(Tile.class).matchesClass(Square.class, "a.b")).isFalse();
    assertThat(Selector.forClass(Object.class).matchesClass(DeadLetter.class, DeadLetter.TYPE))
        .isFalse();
    assertThat(Selector.forClass(DeadLetter.class).matchesClass(DeadLetter.class, DeadLetter.TYPE))
        .isTrue();
  }

  @Test
  void mayMatchTypeNeverRulesOutWhatMatchesCouldTake() {
    // A transport skips, undecoded, the records of types a subscription can never take.
    assertThat(Selector.forPattern("order.*").mayMatchType("order.placed")).isTrue();
    assertThat(Selector.forPattern("order.*").mayMatchType("payment.charged")).isFalse();
    assertThat(Selector.forClass(Shape.class).mayMatchType("a.b")).isTrue();
    assertThat(Selector.forClass(Object.class).mayMatchType(DeadLetter.TYPE)).isFalse();
    assertThat(Selector.forClass(DeadLetter.class).mayMatchType(DeadLetter.TYPE)).isTrue();
  }

  @Test
  void rejectsBadPatterns() {
    assertThatThrownBy(() -> Selector.forPattern("order.pl*"))
        .hasMessageContaining("whole segment");
    assertThatThrownBy(() -> Selector.forPattern("order..x")).hasMessageContaining("empty segment");
    assertThatThrownBy(() -> Selector.forPattern(" ")).hasMessageStartingWith("pattern");
  }
}
