package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TypePatternTest {
  @Test
  void starIsOneSegmentAndHashIsAnyNumber() {
    TypePattern star = TypePattern.of("order.*");
    assertThat(star.matches("order.placed")).isTrue();
    assertThat(star.matches("order")).isFalse();
    assertThat(star.matches("order.placed.eu")).isFalse();
    TypePattern hash = TypePattern.of("order.#");
    assertThat(hash.matches("order")).isTrue();
    assertThat(hash.matches("order.placed.eu")).isTrue();
    assertThat(hash.matches("payment.made")).isFalse();
    assertThat(TypePattern.of("#.eu").matches("order.placed.eu")).isTrue();
    assertThat(TypePattern.of("*.placed.#").matches("order.placed")).isTrue();
  }

  @Test
  void anExactTypeMatchesItselfOnly() {
    TypePattern exact = TypePattern.of("order.placed");
    assertThat(exact.isExact()).isTrue();
    assertThat(exact.matches("order.placed")).isTrue();
    assertThat(exact.matches("order.placedx")).isFalse();
    assertThat(TypePattern.of("order.*").isExact()).isFalse();
  }

  @Test
  void heraldsOwnTypesMatchOnlyPatternsThatNameThem() {
    assertThat(TypePattern.of("#").matches(DeadLetter.TYPE)).isFalse();
    assertThat(TypePattern.of("*.deadletter").matches(DeadLetter.TYPE)).isFalse();
    assertThat(TypePattern.of("herald.#").matches(DeadLetter.TYPE)).isTrue();
    assertThat(TypePattern.of(DeadLetter.TYPE).matches(DeadLetter.TYPE)).isTrue();
    assertThat(TypePattern.of("#").matches("heraldic.news")).isTrue();
  }

  @Test
  void whatIsNotATypeNeverMatches() {
    assertThat(TypePattern.of("#").matches("")).isFalse();
    assertThat(TypePattern.of("#").matches(null)).isFalse();
    assertThat(TypePattern.of("#").matches("order.*")).isFalse();
  }

  @Test
  void anInvalidPatternIsRefusedSayingWhy() {
    assertThatThrownBy(() -> TypePattern.of("order..placed"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("pattern: empty segment");
    assertThatThrownBy(() -> TypePattern.of("order.pl*"))
        .hasMessageStartingWith("pattern: a wildcard must be a whole segment");
    assertThatThrownBy(() -> TypePattern.of("order placed"))
        .hasMessageStartingWith("pattern: character ' '");
    assertThatThrownBy(() -> TypePattern.of(" ")).hasMessageStartingWith("pattern: ");
  }

  @Test
  void coversIsASubsetCheck() {
    assertThat(TypePattern.of("order.#").covers(TypePattern.of("order.*"))).isTrue();
    assertThat(TypePattern.of("order.#").covers(TypePattern.of("order.placed.#"))).isTrue();
    assertThat(TypePattern.of("order.*").covers(TypePattern.of("order.#"))).isFalse();
    assertThat(TypePattern.of("*.placed").covers(TypePattern.of("order.*"))).isFalse();
    assertThat(TypePattern.of("#").covers(TypePattern.of("herald.#"))).isFalse();
    assertThat(TypePattern.of("herald.#").covers(TypePattern.of("herald.deadletter"))).isTrue();
  }

  @Test
  void manyHashesAgainstALongTypeTakeNoExponentialTime() {
    // A backtracking matcher takes about C(60, 30) steps here; the table takes 31 x 61 cells.
    TypePattern p = TypePattern.of(String.join(".", java.util.Collections.nCopies(30, "#")) + ".z");
    String type = String.join(".", java.util.Collections.nCopies(60, "a"));
    assertThat(p.matches(type)).isFalse();
    assertThat(p.matches(type + ".z")).isTrue();
  }
}
