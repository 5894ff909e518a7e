package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.TypePattern;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenAccessTest {
  private static final String SHOP = "shop-token-0123456789";
  private static final String OPS = "ops-token-0123456789ab";

  private static final String FILE =
      """
      {"tokens": [
        {"name": "shop", "token": "%s", "publish": ["order.*"],
         "subscribe": ["order.#", "payment.*"], "admin": false},
        {"name": "ops", "sha256": "%s", "admin": true}
      ]}
      """
          .formatted(SHOP, TokenAccess.sha256Hex(OPS));

  @TempDir Path dir;

  private static Principal principal(TokenAccess access, String token) {
    return access.authenticate("Bearer " + token).orElseThrow();
  }

  @Test
  void aTokenOrItsDigestAuthenticatesAsItsNamedPrincipal() throws Exception {
    Path file = dir.resolve("tokens.json");
    Files.writeString(file, FILE);
    TokenAccess access = TokenAccess.load(file);

    assertThat(access.required()).isTrue();
    assertThat(access.names()).containsExactly("shop", "ops");
    assertThat(principal(access, SHOP).name()).isEqualTo("shop");
    assertThat(principal(access, OPS).name()).isEqualTo("ops");
    assertThat(access.authenticate("bearer " + SHOP)).isPresent();
    assertThat(access.authenticate("BEARER   " + OPS)).isPresent();
  }

  @Test
  void noUnknownMalformedOrOtherSchemeCredentialsAuthenticateNobody() {
    TokenAccess access = TokenAccess.parse(FILE, "tokens.json");
    assertThat(access.authenticate(null)).isEmpty();
    assertThat(access.authenticate("")).isEmpty();
    assertThat(access.authenticate("Bearer")).isEmpty();
    assertThat(access.authenticate("Bearer ")).isEmpty();
    assertThat(access.authenticate("Bearer " + SHOP + "x")).isEmpty();
    assertThat(access.authenticate("Bearer " + SHOP.substring(1))).isEmpty();
    assertThat(access.authenticate("Basic " + SHOP)).isEmpty();
    assertThat(access.authenticate(SHOP)).isEmpty();
    assertThat(access.authenticate("Bearer " + SHOP + " extra")).isEmpty();
    assertThat(access.authenticate("Bearer " + "a".repeat(100_000))).isEmpty();
    // The digest itself is not a token.
    assertThat(access.authenticate("Bearer " + TokenAccess.sha256Hex(OPS))).isEmpty();
  }

  @Test
  void publishNeedsATypeThatAPublishPatternMatches() {
    Principal shop = principal(TokenAccess.parse(FILE, "t"), SHOP);
    assertThat(shop.mayPublish("order.placed")).isTrue();
    assertThat(shop.mayPublish("order.placed.eu")).isFalse();
    assertThat(shop.mayPublish("order")).isFalse();
    assertThat(shop.mayPublish("payment.captured")).isFalse();
    assertThat(shop.mayPublish("order.*")).isFalse();
    assertThat(shop.mayPublish("")).isFalse();
    assertThat(shop.mayPublish(null)).isFalse();
    assertThat(shop.mayAdminister()).isFalse();

    Principal ops = principal(TokenAccess.parse(FILE, "t"), OPS);
    assertThat(ops.mayAdminister()).isTrue();
    assertThat(ops.mayPublish("order.placed")).isFalse();
    assertThat(ops.maySubscribe("order.placed")).isFalse();
  }

  @Test
  void subscribeNeedsEveryTypeOfThePatternToBeGranted() {
    Principal shop = principal(TokenAccess.parse(FILE, "t"), SHOP);
    // Granted: order.# and payment.*
    assertThat(shop.maySubscribe("order.placed")).isTrue();
    assertThat(shop.maySubscribe("order.*")).isTrue();
    assertThat(shop.maySubscribe("order.#")).isTrue();
    assertThat(shop.maySubscribe("order.*.#")).isTrue();
    assertThat(shop.maySubscribe("order.#.eu")).isTrue();
    assertThat(shop.maySubscribe("order")).isTrue();
    assertThat(shop.maySubscribe("payment.captured")).isTrue();
    assertThat(shop.maySubscribe("payment.*")).isTrue();
    // Refused: some type of the pattern is outside every grant.
    assertThat(shop.maySubscribe("payment.#")).isFalse();
    assertThat(shop.maySubscribe("payment.*.eu")).isFalse();
    assertThat(shop.maySubscribe("#")).isFalse();
    assertThat(shop.maySubscribe("*.placed")).isFalse();
    assertThat(shop.maySubscribe("#.placed")).isFalse();
    assertThat(shop.maySubscribe("shipment.sent")).isFalse();
    // Invalid patterns are refused, never an exception.
    assertThat(shop.maySubscribe("order.pl*")).isFalse();
    assertThat(shop.maySubscribe("order..x")).isFalse();
    assertThat(shop.maySubscribe("")).isFalse();
    assertThat(shop.maySubscribe(null)).isFalse();
  }

  @Test
  void groupsAreGrantedByGlobsAndByNothingWithoutAGrantButToAnAdministrator() {
    String file =
        """
        {"tokens": [
          {"name": "shop", "token": "%s", "subscribe": ["order.*"],
           "groups": ["shop-*", "billing", "*-eu", "a*b*c"]},
          {"name": "ops", "sha256": "%s", "admin": true},
          {"name": "reader", "token": "reader-token-0123456789", "subscribe": ["order.*"]},
          {"name": "none", "token": "none-token-0123456789", "groups": []},
          {"name": "any", "token": "any-token-01234567890", "groups": ["*"]}
        ]}
        """
            .formatted(SHOP, TokenAccess.sha256Hex(OPS));
    TokenAccess access = TokenAccess.parse(file, "t");
    Principal shop = principal(access, SHOP);
    assertThat(shop.mayJoinGroup("shop-")).isTrue();
    assertThat(shop.mayJoinGroup("shop-billing")).isTrue();
    assertThat(shop.mayJoinGroup("shop-a.b_c-d")).isTrue();
    assertThat(shop.mayJoinGroup("billing")).isTrue();
    assertThat(shop.mayJoinGroup("orders-eu")).isTrue();
    assertThat(shop.mayJoinGroup("-eu")).isTrue();
    assertThat(shop.mayJoinGroup("abc")).isTrue();
    assertThat(shop.mayJoinGroup("axxbyyc")).isTrue();
    assertThat(shop.mayJoinGroup("abcbc")).isTrue();
    // Exact, case-sensitive, whole-name matches; '.' and '-' are plain characters.
    assertThat(shop.mayJoinGroup("shop")).isFalse();
    assertThat(shop.mayJoinGroup("Shop-x")).isFalse();
    assertThat(shop.mayJoinGroup("billing2")).isFalse();
    assertThat(shop.mayJoinGroup("xbilling")).isFalse();
    assertThat(shop.mayJoinGroup("orders-eu2")).isFalse();
    assertThat(shop.mayJoinGroup("acb")).isFalse();
    assertThat(shop.mayJoinGroup("abcd")).isFalse();
    assertThat(shop.mayJoinGroup("")).isFalse();
    assertThat(shop.mayJoinGroup(null)).isFalse();
    // An administrator may join any group; without "groups", or with none, no group.
    assertThat(principal(access, OPS).mayJoinGroup("billing")).isTrue();
    assertThat(principal(access, OPS).mayJoinGroup("anything.at-all")).isTrue();
    assertThat(principal(access, "reader-token-0123456789").mayJoinGroup("billing")).isFalse();
    assertThat(principal(access, "reader-token-0123456789").mayJoinGroup("shop-x")).isFalse();
    assertThat(principal(access, "none-token-0123456789").mayJoinGroup("shop-x")).isFalse();
    assertThat(principal(access, "any-token-01234567890").mayJoinGroup("billing")).isTrue();
    assertThat(principal(access, "any-token-01234567890").mayAdminister()).isFalse();
    // A principal that says nothing of groups: only an administrator may join one.
    assertThat(Access.openToLoopback().authenticate(null).orElseThrow().mayJoinGroup("x")).isTrue();
  }

  @Test
  void manyStarsAgainstALongGroupNameAnswerAtOnce() {
    GroupPattern p = GroupPattern.of("*a".repeat(99) + "b");
    assertThat(p.matches("a".repeat(200))).isFalse();
    assertThat(p.matches("a".repeat(199) + "b")).isTrue();
  }

  @Test
  void badGroupPatternsAreRefusedNamingTheLineAndTheField() {
    String head = "{\"tokens\": [\n  {\"name\": \"a\", \"token\": \"" + SHOP + "\",\n   ";
    assertRefused(
        head + "\"groups\": [\"shop-*\", \"\"]}]}", "line 3: tokens[0].groups[1]", "1 to");
    assertRefused(
        head + "\"groups\": [\"shop \"]}]}", "line 3: tokens[0].groups[0]", "character at index 4");
    assertRefused(head + "\"groups\": [\"shop?\"]}]}", "tokens[0].groups[0]", "index 4");
    assertRefused(head + "\"groups\": [\"[ab]\"]}]}", "tokens[0].groups[0]", "index 0");
    assertRefused(head + "\"groups\": [\"é\"]}]}", "tokens[0].groups[0]", "index 0");
    assertRefused(
        head + "\"groups\": [\"" + "g".repeat(201) + "\"]}]}",
        "tokens[0].groups[0]",
        "1 to 200 characters");
    assertRefused(head + "\"groups\": \"shop-*\"}]}", "tokens[0].groups", "an array");
    assertRefused(head + "\"groups\": [7]}]}", "tokens[0].groups[0]", "must be a string");
    assertRefused(head + "\"groups\": [], \"groups\": []}]}", "tokens[0].groups", "given twice");
  }

  @Test
  void patternsFollowHeraldsRulesIncludingItsOwnTypes() {
    TypePattern all = TypePattern.of("#");
    assertThat(all.matches("order.placed")).isTrue();
    assertThat(all.matches("a")).isTrue();
    // Herald's own types are granted only by a pattern that names them, as core's selectors do.
    assertThat(all.matches("herald.deadletter")).isFalse();
    assertThat(TypePattern.of("herald.#").matches("herald.deadletter")).isTrue();
    assertThat(all.covers(TypePattern.of("herald.deadletter"))).isFalse();
    assertThat(TypePattern.of("herald.#").covers(TypePattern.of("herald.*"))).isTrue();

    assertThat(TypePattern.of("a.*.c").matches("a.b.c")).isTrue();
    assertThat(TypePattern.of("a.*.c").matches("a.c")).isFalse();
    assertThat(TypePattern.of("a.#.c").matches("a.c")).isTrue();
    assertThat(TypePattern.of("a.#.c").matches("a.x.y.c")).isTrue();
    assertThat(TypePattern.of("#.#").covers(TypePattern.of("#"))).isTrue();
    assertThat(TypePattern.of("*.#").covers(TypePattern.of("*.*.#"))).isTrue();
    assertThat(TypePattern.of("*.*.#").covers(TypePattern.of("*.#"))).isFalse();
    assertThat(TypePattern.of("#.x.#").covers(TypePattern.of("a.#.x"))).isTrue();
    assertThat(TypePattern.of("#.x").covers(TypePattern.of("#.x.#"))).isFalse();
  }

  @Test
  void manyWildcardsAgainstALongTypeAnswerAtOnce() {
    TypePattern p = TypePattern.of("#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.z");
    String type = "a" + ".a".repeat(120);
    assertThat(p.matches(type)).isFalse();
    assertThat(p.covers(TypePattern.of(type))).isFalse();
  }

  @Test
  void badFilesAreRefusedNamingTheLineAndTheField() {
    assertRefused("{\"tokens\": [", "line 1", "not valid JSON");
    assertRefused("[]", "the file", "must be an object");
    assertRefused("{\"tokens\": []}", "tokens", "is empty");
    assertRefused("{\"tokenz\": []}", "tokenz", "unknown field");
    assertRefused("{}", "the file", "no \"tokens\"");
    assertRefused(
        "{\"tokens\": [{\"name\": \"a\", \"token\": \"" + SHOP + "\"}]} {}",
        "the file",
        "more after");
    assertRefused(
        "{\"tokens\": [\n  {\"name\": \"a\",\n   \"token\": \""
            + SHOP
            + "\",\n   \"publish\": [\"order.*\", \"x..y\"]}]}",
        "line 4: tokens[0].publish[1]",
        "empty segment");
    assertRefused(
        "{\"tokens\": [{\"name\": \"a\", \"token\": \"short\"}]}", "tokens[0].token", "16 to");
    assertRefused(
        "{\"tokens\": [{\"name\": \"a\", \"token\": \"has space 0123456789\"}]}",
        "tokens[0].token",
        "not a bearer token");
    assertRefused(
        "{\"tokens\": [{\"name\": \"a\", \"sha256\": \"abc\"}]}", "tokens[0].sha256", "64 hex");
    assertRefused(
        "{\"tokens\": [{\"name\": \"a\", \"sha256\": \"" + "zz".repeat(32) + "\"}]}",
        "tokens[0].sha256",
        "64 hex");
    assertRefused(
        "{\"tokens\": [{\"name\": \"a\"}]}", "tokens[0]", "needs \"token\" or \"sha256\"");
    assertRefused(
        "{\"tokens\": [{\"name\": \"a\", \"token\": \""
            + SHOP
            + "\", \"sha256\": \""
            + TokenAccess.sha256Hex(SHOP)
            + "\"}]}",
        "tokens[0]",
        "both");
    assertRefused("{\"tokens\": [{\"token\": \"" + SHOP + "\"}]}", "tokens[0].name", "missing");
    assertRefused(
        "{\"tokens\": [{\"name\": \"a\", \"token\": \"" + SHOP + "\", \"admin\": \"yes\"}]}",
        "tokens[0].admin",
        "true or false");
    assertRefused(
        "{\"tokens\": [{\"name\": \"a\", \"token\": \"" + SHOP + "\", \"amdin\": true}]}",
        "tokens[0].amdin",
        "unknown field");
    assertRefused(
        "{\"tokens\": [{\"name\": \"a\", \"token\": \"" + SHOP + "\", \"publish\": \"order.*\"}]}",
        "tokens[0].publish",
        "an array");
    assertRefused(
        "{\"tokens\": [{\"name\": \"a\", \"token\": \""
            + SHOP
            + "\"},\n{\"name\": \"a\", \"token\": \""
            + OPS
            + "\"}]}",
        "line 2: tokens[1].name",
        "earlier token");
    assertRefused(
        "{\"tokens\": [{\"name\": \"a\", \"token\": \""
            + SHOP
            + "\"}, {\"name\": \"b\", \"sha256\": \""
            + TokenAccess.sha256Hex(SHOP)
            + "\"}]}",
        "tokens[1]",
        "same token");
  }

  @Test
  void messagesNeverHoldTheToken() {
    String unquoted = "{\"tokens\": [{\"name\": \"a\", \"token\": " + SHOP + "}]}";
    assertThatThrownBy(() -> TokenAccess.parse(unquoted, "t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 1, column ")
        .hasMessageNotContaining(SHOP);
    String json =
        "{\"tokens\": [{\"name\": \"a\", \"token\": \"" + SHOP + "\", \"publish\": [\"**\"]}]}";
    assertThatThrownBy(() -> TokenAccess.parse(json, "t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(SHOP);
  }

  @Test
  void aFileOverTheBoundIsRefusedBeforeParsing() throws Exception {
    Path file = dir.resolve("big.json");
    byte[] big = new byte[TokenFile.MAX_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    Files.write(file, big);
    assertThatThrownBy(() -> TokenAccess.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("larger than");
    assertThatThrownBy(() -> TokenAccess.load(dir.resolve("missing.json")))
        .isInstanceOf(java.io.IOException.class);
  }

  @Test
  void theDigestIsSha256OfTheUtf8Token() {
    assertThat(TokenAccess.sha256Hex("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(TokenFile.sha256("é")).hasSize(32);
    assertThat("é".getBytes(StandardCharsets.UTF_8)).hasSize(2);
    Optional<Principal> none = TokenAccess.parse(FILE, "t").authenticate("Bearer é");
    assertThat(none).isEmpty();
  }

  private static void assertRefused(String json, String where, String what) {
    assertThatThrownBy(() -> TokenAccess.parse(json, "tokens.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("tokens.json")
        .hasMessageContaining(where)
        .hasMessageContaining(what);
  }
}
