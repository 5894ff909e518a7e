package dev.herald.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link CloudEventsStructured#decodeToStore} against {@link CloudEventsStructured#decode}, the
 * reading it must equal: for any structured event, valid or not, the same refusal, or an event
 * whose binary-mode record (headers, key, payload bytes) is the same. And {@link
 * CloudEventsStructured#compactJsonData} (a binary-mode body) against the tree it replaces.
 */
class StructuredDecodeToStorePropertiesTest {
  private static final JsonPayloadCodec CODEC = JsonPayloadCodec.defaults();
  private static final CloudEventsStructured READER = new CloudEventsStructured(CODEC, 4096);
  private static final CloudEventsBinary BINARY = new CloudEventsBinary(CODEC);
  private static final com.fasterxml.jackson.databind.ObjectMapper TREES =
      new com.fasterxml.jackson.databind.ObjectMapper();

  @Property(tries = 800)
  void storesWhatTheTreeReadingStores(@ForAll("events") String json) {
    assertSameReading(json);
  }

  @Property(tries = 600)
  void storesWhatTheTreeReadingStoresOfMostlyValidEvents(@ForAll("validEvents") String json) {
    assertSameReading(json);
  }

  @Example
  void edgeCasesReadTheSame() {
    for (String data :
        List.of(
            "{\"a\":1e400,\"b\":-0,\"c\":1.50,\"d\":12345678901234567890123,\"e\":-1E-3}",
            "{\"a\":1,\"a\":2}",
            "[\"\\u0041\\u00e9\\ud83d\\ude00\",\"\\/\",\"é\", null, true, [], {}]",
            "{\"x\":\"\\ud800\"}",
            "{\"n\":{\"m\":{\"o\":[[[[1]]]]}}}",
            manyNames(20, null),
            manyNames(20, "k3"),
            manyNames(20, "k19"))) {
      assertSameReading(
          "{\"specversion\":\"1.0\",\"id\":\"1\",\"type\":\"t\",\"source\":\"/s\","
              + "\"time\":\"2026-01-02T03:04:05Z\",\"data\": "
              + data
              + " }");
    }
    assertSameReading("{\"specversion\":\"1.0\",\"id\":\"1\",\"type\":\"t\",\"source\":\"/s\"} x");
    assertSameReading("[1]");
    assertSameReading("{\"specversion\":\"1.0\",\"id\":\"1\",\"id\":\"2\",\"type\":\"t\"}");
  }

  @Example
  void keepsObjectDataAsCompactJsonWithoutAClassName() {
    byte[] body =
        ("xx{\"specversion\":\"1.0\",\"id\":\"1\",\"type\":\"t\",\"source\":\"/s\","
                + "\"data\": { \"qty\" : 2 , \"sku\" : \"a\" } }yy")
            .getBytes(StandardCharsets.UTF_8);
    Event<Object> e = READER.decodeToStore(body, 2, body.length - 2);
    BinaryMessage m = BINARY.encode(e);
    assertThat(new String(m.payload(), StandardCharsets.UTF_8))
        .isEqualTo("{\"qty\":2,\"sku\":\"a\"}");
    assertThat(m.headers()).extracting(BinaryMessage.Header::name).doesNotContain("herald_class");
    assertThat(e.data()).isInstanceOf(JsonNode.class); // read in one pass, not into a Map
  }

  @Property(tries = 600)
  void binaryDataInOnePassStoresWhatItsTreeStores(@ForAll("bodies") String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    JsonNode kept = READER.compactJsonData(bytes);
    Statistics.label("path").collect(kept != null ? "one pass" : "tree");
    if (kept == null) {
      return; // the caller reads the tree, as before
    }
    JsonNode tree;
    try {
      tree = TREES.readTree(bytes);
    } catch (java.io.IOException e) {
      throw new AssertionError("one pass kept what the tree refuses: " + body, e);
    }
    assertThat(new String(CODEC.encode(kept), StandardCharsets.UTF_8))
        .as(body)
        .isEqualTo(new String(CODEC.encode(tree), StandardCharsets.UTF_8));
  }

  @Example
  void binaryDataEdgeCases() {
    JsonNode kept =
        READER.compactJsonData(bytes(" { \"qty\" : 2 , \"sku\" : [ 1.50 , \"\\u0041\" ] } "));
    assertThat(new String(CODEC.encode(kept), StandardCharsets.UTF_8))
        .isEqualTo("{\"qty\":2,\"sku\":[1.5,\"A\"]}");
    // Left to the tree, which answers for them as before.
    assertThat(READER.compactJsonData(bytes("42"))).isNull();
    assertThat(READER.compactJsonData(bytes("{\"a\":1,\"a\":2}"))).isNull();
    assertThat(READER.compactJsonData(bytes("{\"a\":1} x"))).isNull();
    assertThat(READER.compactJsonData(bytes("{\"a\":1} {}"))).isNull();
    assertThat(READER.compactJsonData(bytes("{\"a\":"))).isNull();
    assertThat(READER.compactJsonData(bytes("[" + "[".repeat(200) + "]".repeat(200) + "]")))
        .isNull();
    assertThat(READER.compactJsonData(new byte[4097])).isNull(); // over this reader's 4096 bytes
  }

  @Provide
  Arbitrary<String> bodies() {
    Arbitrary<String> any =
        Combinators.combine(json(3), space(), Arbitraries.of("", "", "", " x", " {}", "]"))
            .as((json, s, tail) -> s + json + s + tail);
    // Objects whose names differ, at every level but the values': mostly read in one pass.
    Arbitrary<String> distinct =
        Combinators.combine(json(2).list().ofMaxSize(6), space())
            .as(
                (values, s) -> {
                  StringBuilder b = new StringBuilder("{").append(s);
                  for (int i = 0; i < values.size(); i++) {
                    b.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":");
                    b.append(s).append(values.get(i));
                  }
                  return b.append(s).append('}').toString();
                });
    return Arbitraries.frequencyOf(Tuple.of(1, any), Tuple.of(1, distinct));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void assertSameReading(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    // Without a time attribute each reading stamps its own "now".
    boolean timed = json.contains("\"time\"");
    Object tree = read(() -> READER.decode(bytes, null), timed);
    Object streaming = read(() -> READER.decodeToStore(bytes, 0, bytes.length), timed);
    Statistics.label("reading")
        .collect(
            tree instanceof List
                ? (tree.equals(streaming) ? "same event" : "different event")
                : "refused");
    Statistics.label("path").collect(onePass(bytes) ? "one pass" : "tree");
    assertThat(streaming).as(json).isEqualTo(tree);
  }

  /** An object of {@code n} names, then {@code again} a second time when not null. */
  private static String manyNames(int n, String again) {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      b.append("\"k").append(i).append("\":").append(i).append(',');
    }
    return b.append('"').append(again == null ? "last" : again).append("\":-1}").toString();
  }

  private static boolean onePass(byte[] bytes) {
    try {
      return READER.decodeToStore(bytes, 0, bytes.length).data() instanceof JsonNode;
    } catch (RuntimeException refused) {
      return false;
    }
  }

  /** What is stored for an event, or the refusal: comparable. */
  private static Object read(Supplier<Event<Object>> decode, boolean timed) {
    Event<Object> e;
    try {
      e = decode.get();
    } catch (RuntimeException x) {
      return x.getClass().getName() + ": " + x.getMessage();
    }
    BinaryMessage m;
    try {
      m = BINARY.encode(e);
    } catch (RuntimeException x) {
      return "store refuses: " + x.getClass().getName();
    }
    List<String> record = new ArrayList<>();
    for (BinaryMessage.Header h : m.headers()) {
      if (!timed && h.name().equals("ce_time")) {
        continue;
      }
      record.add(
          h.name()
              + "="
              + (h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8)));
    }
    record.add("key=" + e.key());
    record.add("payload=" + new String(m.payload(), StandardCharsets.UTF_8));
    return record;
  }

  @Provide
  Arbitrary<String> events() {
    Arbitrary<String> member =
        Arbitraries.oneOf(
            attribute("specversion", Arbitraries.of("\"1.0\"", "\"0.3\"", "1.0", "null")),
            attribute("id", Arbitraries.of("\"o-1\"", "\"\"", "7", "null", "\"a\\u00e9\"")),
            attribute("type", Arbitraries.of("\"order.placed\"", "\"\"", "true", "\"a b\"")),
            attribute("source", Arbitraries.of("\"/shop\"", "\"::\"", "{}", "\"https://x/y\"")),
            attribute(
                "time",
                Arbitraries.of(
                    "\"2026-01-02T03:04:05Z\"", "\"2026-01-02T03:04:05.5+01:00\"", "\"x\"", "3")),
            attribute("subject", Arbitraries.of("\"s\"", "null", "5", "[\"s\"]")),
            attribute(
                "datacontenttype",
                Arbitraries.of(
                    "\"application/json\"",
                    "\"text/plain\"",
                    "\"application/vnd.x+json; charset=utf-8\"",
                    "\"application/octet-stream\"",
                    "null",
                    "\"\"")),
            attribute("dataschema", Arbitraries.of("\"https://s\"", "{\"a\":[1]}")),
            attribute("data", json(3)),
            attribute("data_base64", Arbitraries.of("\"AAEC\"", "\"!!\"", "null")),
            attribute(
                Arbitraries.of("tenant", "traceparent", "Bad-Name", "partitionkey", "x1"),
                Arbitraries.of("\"eu\"", "true", "false", "12", "1.5", "null", "{}", "\"\"")));
    Arbitrary<String> required =
        Arbitraries.just(
            "\"specversion\":\"1.0\",\"id\":\"i-1\",\"type\":\"order.placed\",\"source\":\"/s\","
                + "\"time\":\"2026-01-02T03:04:05Z\"");
    Arbitrary<Boolean> withRequired = Arbitraries.of(true, true, true, false);
    return Combinators.combine(withRequired, required, member.list().ofMaxSize(6))
        .as(
            (with, req, members) -> {
              List<String> all = new ArrayList<>(members);
              if (with) {
                all.add(0, req);
              }
              return "{" + String.join(" , ", all) + "}";
            });
  }

  @Provide
  Arbitrary<String> validEvents() {
    Arbitrary<String> optional =
        Arbitraries.oneOf(
            attribute("subject", Arbitraries.of("\"s\"", "null", "\"orders/\u00e9\"")),
            attribute(
                "datacontenttype",
                Arbitraries.of(
                    "\"application/json\"", "\"text/json\"", "\"application/x+json\"", "null")),
            attribute("dataschema", Arbitraries.of("\"https://s\"")),
            attribute(
                Arbitraries.of("tenant", "traceparent", "partitionkey", "x1"),
                Arbitraries.of("\"eu\"", "true", "\"a\\\"b\"")));
    Arbitrary<String> data =
        attribute("data", json(3).filter(j -> j.startsWith("{") || j.startsWith("[")));
    return Combinators.combine(optional.list().ofMaxSize(3), data, space())
        .as(
            (members, d, s) -> {
              List<String> all = new ArrayList<>(members);
              all.add(d);
              all.add(
                  "\"specversion\":\"1.0\",\"id\":\"i-1\",\"type\":\"order.placed\","
                      + "\"source\":\"/s\",\"time\":\"2026-01-02T03:04:05Z\"");
              Collections.rotate(all, members.size() % 3);
              return "{" + s + String.join("," + s, all) + s + "}";
            });
  }

  private static Arbitrary<String> attribute(String name, Arbitrary<String> value) {
    return attribute(Arbitraries.just(name), value);
  }

  private static Arbitrary<String> attribute(Arbitrary<String> name, Arbitrary<String> value) {
    return Combinators.combine(name, value, space()).as((n, v, s) -> "\"" + n + "\"" + s + ":" + v);
  }

  private static Arbitrary<String> space() {
    return Arbitraries.of("", " ", "\n\t ");
  }

  /** JSON values with whitespace, escapes and every number form. */
  private static Arbitrary<String> json(int depth) {
    Arbitrary<String> scalar =
        Arbitraries.oneOf(
            Arbitraries.of(
                "null",
                "true",
                "false",
                "0",
                "-0",
                "1.0",
                "1.50",
                "1e2",
                "-2.5E-3",
                "1e400",
                "123456789012",
                "98765432109876543210",
                "0.1000000000000000055511151231257827",
                "\"\"",
                "\"\\u00e9\\n\\\"\"",
                "\"\\ud83d\\ude00\"",
                "\"é€😀\"",
                "\"\\/\""),
            Arbitraries.integers().map(String::valueOf),
            Arbitraries.doubles().map(String::valueOf),
            Arbitraries.strings().alpha().numeric().ofMaxLength(8).map(s -> "\"" + s + "\""));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<String> inner = Arbitraries.lazy(() -> json(depth - 1));
    Arbitrary<String> array =
        Combinators.combine(inner.list().ofMaxSize(4), space())
            .as((items, s) -> "[" + s + String.join("," + s, items) + s + "]");
    Arbitrary<String> key = Arbitraries.of("a", "b", "qty", "sku", "\\u0061", "é");
    Arbitrary<String> field =
        Combinators.combine(key, inner, space()).as((k, v, s) -> "\"" + k + "\"" + s + ":" + s + v);
    Arbitrary<String> object =
        Combinators.combine(field.list().ofMaxSize(4), space())
            .as((fields, s) -> "{" + s + String.join("," + s, fields) + s + "}");
    return Arbitraries.frequencyOf(Tuple.of(1, scalar), Tuple.of(3, object), Tuple.of(1, array));
  }
}
