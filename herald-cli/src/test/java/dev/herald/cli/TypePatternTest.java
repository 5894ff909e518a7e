package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TypePatternTest {
  @Test
  void starIsOneSegmentAndHashAnyNumber() {
    assertThat(TypePattern.parse("order.*").matches("order.placed")).isTrue();
    assertThat(TypePattern.parse("order.*").matches("order")).isFalse();
    assertThat(TypePattern.parse("order.*").matches("order.placed.eu")).isFalse();
    assertThat(TypePattern.parse("order.#").matches("order")).isTrue();
    assertThat(TypePattern.parse("order.#").matches("order.placed.eu")).isTrue();
    assertThat(TypePattern.parse("#.eu").matches("order.placed.eu")).isTrue();
    assertThat(TypePattern.parse("#").matches("anything.at.all")).isTrue();
    assertThat(TypePattern.parse("order.placed").matches("order.paid")).isFalse();
  }

  @Test
  void heraldsOwnTypesMatchOnlyWhenNamed() {
    assertThat(TypePattern.parse("#").matches("herald.deadletter")).isFalse();
    assertThat(TypePattern.parse("herald.#").matches("herald.deadletter")).isTrue();
  }

  @Test
  void emptySegmentsAreRefused() {
    assertThatThrownBy(() -> TypePattern.parse("order..x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TypePattern.parse("")).isInstanceOf(IllegalArgumentException.class);
  }
}
