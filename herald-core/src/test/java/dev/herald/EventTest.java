package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventTest {

  @Test
  void generatesUniqueTimeOrderedUuidV7Ids() {
    Set<String> ids = new HashSet<>();
    String previousPrefix = "";
    for (int i = 0; i < 10_000; i++) {
      Event<String> e = Event.of("order.placed", "x");
      String id = e.id();
      assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
      assertThat(ids.add(id)).isTrue();
      // The first 12 hex digits are the creation millisecond: they never go backwards.
      String prefix = id.substring(0, 8) + id.substring(9, 13);
      assertThat(prefix.compareTo(previousPrefix)).isGreaterThanOrEqualTo(0);
      previousPrefix = prefix;
      assertThat(Long.parseLong(prefix, 16)).isEqualTo(e.timeMillis());
    }
  }

  @Test
  void keepsEveryAttribute() {
    Instant t = Instant.parse("2026-01-02T03:04:05.678Z");
    Event<Integer> e =
        Event.<Integer>builder("order.placed")
            .id("order-1")
            .source("/shop/orders")
            .time(t)
            .subject("o-1")
            .dataContentType("application/json")
            .key("customer-7")
            .correlationId("c-1")
            .traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
            .extension("tenant", "acme")
            .data(42)
            .build();
    assertThat(e.id()).isEqualTo("order-1");
    assertThat(e.source()).isEqualTo("/shop/orders");
    assertThat(e.time()).isEqualTo(t);
    assertThat(e.subject()).isEqualTo("o-1");
    assertThat(e.dataContentType()).isEqualTo("application/json");
    assertThat(e.key()).isEqualTo("customer-7");
    assertThat(e.correlationId()).isEqualTo("c-1");
    assertThat(e.extension("tenant")).isEqualTo("acme");
    assertThat(e.data()).isEqualTo(42);
    assertThat(e.toBuilder().build()).isEqualTo(e);
    assertThat(e.extensions()).containsOnlyKeys(Event.CORRELATION_ID, Event.TRACEPARENT, "tenant");
  }

  @Test
  void causedByCarriesCorrelationCausationAndKey() {
    Event<String> placed = Event.of("order.placed", "o-1", "payload");
    Event<String> reserved = Event.<String>causedBy(placed, "stock.reserved").data("r").build();
    assertThat(reserved.correlationId()).isEqualTo(placed.id());
    assertThat(reserved.causationId()).isEqualTo(placed.id());
    assertThat(reserved.key()).isEqualTo("o-1");
    Event<String> shipped = Event.<String>causedBy(reserved, "order.shipped").data("s").build();
    assertThat(shipped.correlationId()).isEqualTo(placed.id());
    assertThat(shipped.causationId()).isEqualTo(reserved.id());
  }

  @Test
  void causedByCarriesTheTraceContextWithItsState() {
    String parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    Event<String> traced =
        Event.<String>builder("order.placed")
            .extension(Event.TRACEPARENT, parent)
            .extension(Event.TRACESTATE, "rojo=00f067aa0ba902b7")
            .data("p")
            .build();
    Event<String> effect = Event.<String>causedBy(traced, "stock.reserved").data("r").build();
    assertThat(effect.extension(Event.TRACEPARENT)).isEqualTo(parent);
    assertThat(effect.extension(Event.TRACESTATE)).isEqualTo("rojo=00f067aa0ba902b7");
    // A state without its trace context means nothing: not carried alone.
    Event<String> stateOnly =
        Event.<String>builder("order.placed")
            .extension(Event.TRACESTATE, "rojo=1")
            .data("p")
            .build();
    assertThat(Event.<String>causedBy(stateOnly, "x.y").data("r").build().extensions())
        .doesNotContainKey(Event.TRACESTATE);
  }

  @Test
  void partitionKeyExtensionSetsTheKey() {
    Event<String> e = Event.<String>builder("a.b").extension(Event.PARTITION_KEY, "k").build();
    assertThat(e.key()).isEqualTo("k");
    assertThat(e.extensions()).isEmpty();
  }

  @Test
  void invalidEnvelopesNameTheField() {
    assertThatThrownBy(() -> Event.of(null, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("type");
    assertThatThrownBy(() -> Event.of("  ", 1)).hasMessageStartingWith("type");
    assertThatThrownBy(() -> Event.of("order..placed", 1)).hasMessageStartingWith("type");
    assertThatThrownBy(() -> Event.of("order.*", 1)).hasMessageStartingWith("type");
    assertThatThrownBy(() -> Event.of("order placed", 1)).hasMessageStartingWith("type");
    assertThatThrownBy(() -> Event.builder("a").id("").build()).hasMessageStartingWith("id");
    assertThatThrownBy(() -> Event.builder("a").id("has space").build())
        .hasMessageStartingWith("id");
    assertThatThrownBy(() -> Event.builder("a").id("x".repeat(129)).build())
        .hasMessageStartingWith("id");
    assertThatThrownBy(() -> Event.builder("a").source(" ").build())
        .hasMessageStartingWith("source");
    assertThatThrownBy(() -> Event.builder("a").extension("Bad", "v"))
        .hasMessageContaining("extension name 'Bad'");
    assertThatThrownBy(() -> Event.builder("a").extension("averyveryverylongname1", "v"))
        .hasMessageContaining("longer than 20");
    assertThatThrownBy(() -> Event.builder("a").extension("type", "v"))
        .hasMessageContaining("core attribute");
    assertThatThrownBy(() -> Event.builder("a").extension("ok", null))
        .hasMessageContaining("value must not be null");
    assertThatThrownBy(() -> Event.builder("a").key("").build()).hasMessageStartingWith("key");
  }

  @Test
  void sourceMustBeAUriReference() {
    for (String bad : new String[] {"not a uri", "http://exa mple.com", "http://x/%zz", "a b"}) {
      assertThatThrownBy(() -> Event.builder("a").source(bad).build())
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("source")
          .hasMessageContaining("URI-reference");
    }
    for (String good :
        new String[] {
          "/herald", "https://example.com/shop", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
          "shop", "mailto:ops@example.com", "//host/path?q=1#f"
        }) {
      assertThat(Event.builder("a").source(good).build().source()).isEqualTo(good);
    }
  }

  @Test
  void dataContentTypeMustBeAMediaTypeWithASupportedCharset() {
    for (String bad :
        new String[] {
          "not a media type",
          "text",
          "text/",
          "/plain",
          "text /plain",
          "text/plain extra",
          "text/plain;",
          "text/plain; charset",
          "text/plain; charset=",
          "text/plain; =utf-8",
          "text/plain; a=\"open",
          "text/pla(in",
          " text/plain",
          "text/plain ",
          "t\u00e9xt/plain",
          "text/plain; charset=nope",
          "text/plain; charset=\"no pe\"",
          "text/plain; CHARSET=utf-9"
        }) {
      assertThatThrownBy(() -> Event.builder("a").dataContentType(bad).data("x").build())
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("datacontenttype: ");
    }
    assertThatThrownBy(() -> Event.builder("a").dataContentType("text/plain; charset=nope").build())
        .hasMessageContaining("charset 'nope'");
    for (String good :
        new String[] {
          "application/json",
          "text/plain",
          "application/vnd.shop.order+json",
          "application/json; charset=utf-8",
          "application/json;charset=UTF-8",
          "text/plain; charset=\"ISO-8859-1\"",
          "text/plain ; charset = utf-8",
          "multipart/mixed; boundary=\"a b;c=\\\"d\"; x=y",
          "image/png"
        }) {
      assertThat(Event.builder("a").dataContentType(good).build().dataContentType())
          .as(good)
          .isEqualTo(good);
    }
  }

  @Test
  void timeMustBeARfc3339Instant() {
    for (Instant bad :
        new Instant[] {
          Instant.MAX,
          Instant.MIN,
          Instant.parse("+10000-01-01T00:00:00Z"),
          Instant.parse("-0001-12-31T23:59:59Z")
        }) {
      assertThatThrownBy(() -> Event.builder("a").time(bad).build())
          .as(bad.toString())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("time");
    }
    Instant last = Instant.parse("9999-12-31T23:59:59.999Z");
    Instant first = Instant.parse("0000-01-01T00:00:00Z");
    assertThat(Event.builder("a").time(last).build().time()).isEqualTo(last);
    assertThat(Event.builder("a").time(first).build().time()).isEqualTo(first);
  }
}
