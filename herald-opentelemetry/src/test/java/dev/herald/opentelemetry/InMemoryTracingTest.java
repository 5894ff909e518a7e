package dev.herald.opentelemetry;

import static dev.herald.opentelemetry.TestTracing.ids;
import static dev.herald.opentelemetry.TestTracing.links;
import static dev.herald.opentelemetry.TestTracing.parent;
import static dev.herald.opentelemetry.TestTracing.traceparent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.BusClosedException;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.RetryPolicy;
import dev.herald.SubscribeOptions;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Spans and context propagation on the in-memory bus. */
class InMemoryTracingTest {
  final TestTracing tracing = new TestTracing();

  @AfterEach
  void close() {
    tracing.close();
  }

  @Test
  void sendIsTheChildOfThePublisherSpanAndProcessLinksToIt() throws Exception {
    HeraldTracing interceptor = HeraldTracing.create(tracing.sdk);
    CompletableFuture<Event<?>> received = new CompletableFuture<>();
    CompletableFuture<Event<?>> billed = new CompletableFuture<>();
    try (EventBus bus = Herald.builder().interceptor(interceptor).build()) {
      bus.subscribe(
          "order.placed",
          e -> {
            received.complete(e);
            bus.publish(Event.causedBy(e, "order.billed").data("paid").build());
          },
          SubscribeOptions.defaults().name("billing"));
      bus.subscribe("order.billed", billed::complete);

      Event<String> order = Event.of("order.placed", "o-1");
      String id = order.id();
      Span checkout =
          tracing.inSpan("checkout", () -> bus.publish(order).get(10, TimeUnit.SECONDS));
      assertThat(interceptor.pendingSendsOnThisThread()).isZero();

      SpanData send = tracing.await(SpanKind.PRODUCER, "send order.placed");
      assertThat(parent(send)).isEqualTo(ids(checkout));
      assertThat(send.getAttributes().asMap())
          .containsAllEntriesOf(
              Map.of(
                  MessagingAttributes.SYSTEM, "herald",
                  MessagingAttributes.DESTINATION_NAME, "order.placed",
                  MessagingAttributes.MESSAGE_ID, id,
                  MessagingAttributes.OPERATION_TYPE, "send",
                  MessagingAttributes.OPERATION_NAME, "send"));
      assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

      Event<?> delivered = received.get(10, TimeUnit.SECONDS);
      assertThat(delivered.id()).isEqualTo(id);
      assertThat(delivered.extension(Event.TRACEPARENT))
          .isEqualTo(traceparent(send.getSpanContext()));

      SpanData process = tracing.await(SpanKind.CONSUMER, "process order.placed");
      assertThat(process.getParentSpanContext().isValid()).as("a new trace's root").isFalse();
      assertThat(process.getTraceId()).isNotEqualTo(send.getTraceId());
      assertThat(links(process)).containsExactly(ids(send));
      assertThat(process.getAttributes().asMap())
          .containsAllEntriesOf(
              Map.of(
                  MessagingAttributes.SYSTEM, "herald",
                  MessagingAttributes.DESTINATION_NAME, "order.placed",
                  MessagingAttributes.MESSAGE_ID, id,
                  MessagingAttributes.OPERATION_TYPE, "process",
                  MessagingAttributes.OPERATION_NAME, "process",
                  MessagingAttributes.SUBSCRIPTION_NAME, "billing"))
          .doesNotContainKey(MessagingAttributes.CONSUMER_GROUP_NAME);

      // Published by the handler: the child of its process span, though the event (built with
      // causedBy) carried the send span's traceparent.
      billed.get(10, TimeUnit.SECONDS);
      SpanData sendBilled = tracing.await(SpanKind.PRODUCER, "send order.billed");
      assertThat(parent(sendBilled)).isEqualTo(ids(process));
      SpanData processBilled = tracing.await(SpanKind.CONSUMER, "process order.billed");
      assertThat(links(processBilled)).containsExactly(ids(sendBilled));
    }
  }

  @Test
  void withParentChildOnePublishAndAllItsProcessingAreOneTrace() throws Exception {
    CompletableFuture<Event<?>> billed = new CompletableFuture<>();
    try (EventBus bus =
        Herald.builder()
            .interceptor(HeraldTracing.builder(tracing.sdk).parentChild(true).build())
            .build()) {
      bus.subscribe(
          "order.placed", e -> bus.publish(Event.causedBy(e, "order.billed").data(1).build()));
      bus.subscribe("order.billed", billed::complete);
      Span checkout =
          tracing.inSpan(
              "checkout",
              () -> {
                bus.publish("order.placed", "o-1").get(10, TimeUnit.SECONDS);
              });
      billed.get(10, TimeUnit.SECONDS);
      SpanData send = tracing.await(SpanKind.PRODUCER, "send order.placed");
      SpanData process = tracing.await(SpanKind.CONSUMER, "process order.placed");
      SpanData sendBilled = tracing.await(SpanKind.PRODUCER, "send order.billed");
      SpanData processBilled = tracing.await(SpanKind.CONSUMER, "process order.billed");
      assertThat(parent(process)).isEqualTo(ids(send));
      assertThat(process.getLinks()).isEmpty();
      assertThat(parent(sendBilled)).isEqualTo(ids(process));
      assertThat(parent(processBilled)).isEqualTo(ids(sendBilled));
      assertThat(List.of(send, process, sendBilled, processBilled))
          .extracting(SpanData::getTraceId)
          .containsOnly(checkout.getSpanContext().getTraceId());
    }
  }

  @Test
  void aFailingHandlerMarksEachAttemptsSpanAndTheFailureStillRetriesAndDeadLetters()
      throws Exception {
    CompletableFuture<Event<?>> deadLetter = new CompletableFuture<>();
    try (EventBus bus = Herald.builder().interceptor(HeraldTracing.create(tracing.sdk)).build()) {
      bus.subscribe("herald.deadletter", deadLetter::complete);
      bus.subscribe(
          "job.run",
          e -> {
            throw new IllegalStateException("boom");
          },
          SubscribeOptions.defaults()
              .name("runner")
              .retry(RetryPolicy.exponential(2, Duration.ofMillis(1), Duration.ofMillis(1))));
      bus.publish("job.run", 1);
      deadLetter.get(10, TimeUnit.SECONDS);
      SpanData send = tracing.await(SpanKind.PRODUCER, "send job.run");
      SpanData deadLetterProcess = tracing.await(SpanKind.CONSUMER, "process herald.deadletter");
      assertThat(links(deadLetterProcess))
          .as("the dead letter's handler links to the failed event's send span")
          .containsExactly(ids(send));
      List<SpanData> attempts = tracing.await(SpanKind.CONSUMER, "process job.run", 2);
      assertThat(attempts).hasSize(2);
      for (SpanData a : attempts) {
        assertThat(a.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(a.getAttributes().get(MessagingAttributes.ERROR_TYPE))
            .isEqualTo(IllegalStateException.class.getName());
        assertThat(a.getEvents())
            .anySatisfy(
                ev -> {
                  assertThat(ev.getName()).isEqualTo("exception");
                  assertThat(ev.getAttributes().get(AttributeKey.stringKey("exception.message")))
                      .isEqualTo("boom");
                });
      }
    }
  }

  @Test
  void aRefusedPublishEndsItsSendSpanAsFailed() {
    HeraldTracing interceptor = HeraldTracing.create(tracing.sdk);
    EventBus bus = Herald.builder().interceptor(interceptor).build();
    bus.close();
    assertThatThrownBy(() -> bus.publish("order.placed", "late"))
        .isInstanceOf(BusClosedException.class);
    SpanData send = tracing.await(SpanKind.PRODUCER, "send order.placed");
    assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(send.getAttributes().get(MessagingAttributes.ERROR_TYPE))
        .isEqualTo(BusClosedException.class.getName());
    assertThat(interceptor.pendingSendsOnThisThread()).isZero();
  }

  @Test
  void aBatchGivesEachEventItsOwnSendSpanAndEndsThemAll() throws Exception {
    HeraldTracing interceptor = HeraldTracing.create(tracing.sdk);
    List<Event<?>> received = new CopyOnWriteArrayList<>();
    try (EventBus bus = Herald.builder().interceptor(interceptor).build()) {
      bus.subscribe("item.added", received::add);
      List<Event<Integer>> batch =
          List.of(Event.of("item.added", 1), Event.of("item.added", 2), Event.of("item.added", 3));
      Span batchSpan =
          tracing.inSpan(
              "import",
              () -> {
                CompletableFuture.allOf(bus.publishAll(batch).toArray(new CompletableFuture<?>[0]))
                    .get(10, TimeUnit.SECONDS);
                bus.emitAll(batch);
              });
      assertThat(interceptor.pendingSendsOnThisThread()).isZero();
      List<SpanData> sends = tracing.await(SpanKind.PRODUCER, "send item.added", 6);
      assertThat(sends).hasSize(6);
      assertThat(sends).allSatisfy(s -> assertThat(parent(s)).isEqualTo(ids(batchSpan)));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 6);
      assertThat(received)
          .extracting(e -> e.extension(Event.TRACEPARENT))
          .containsExactlyInAnyOrderElementsOf(
              sends.stream().map(s -> traceparent(s.getSpanContext())).toList());
      for (SpanData s : sends) {
        Event<?> e =
            received.stream()
                .filter(r -> traceparent(s.getSpanContext()).equals(r.extension(Event.TRACEPARENT)))
                .findFirst()
                .orElseThrow();
        assertThat(s.getAttributes().get(MessagingAttributes.MESSAGE_ID)).isEqualTo(e.id());
      }
    }
  }

  @Test
  void withoutACurrentSpanTheTraceparentAnEventBringsIsTheParent() throws Exception {
    String outside = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    CompletableFuture<Event<?>> received = new CompletableFuture<>();
    try (EventBus bus = Herald.builder().interceptor(HeraldTracing.create(tracing.sdk)).build()) {
      bus.subscribe("order.placed", received::complete);
      Event<String> e =
          Event.<String>builder("order.placed")
              .traceparent(outside)
              .extension(Event.TRACESTATE, "vendor=opaque")
              .data("o-1")
              .build();
      bus.publish(e).get(10, TimeUnit.SECONDS);
      SpanData send = tracing.await(SpanKind.PRODUCER, "send order.placed");
      assertThat(send.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
      assertThat(send.getParentSpanId()).isEqualTo("b7ad6b7169203331");
      Event<?> got = received.get(10, TimeUnit.SECONDS);
      assertThat(got.extension(Event.TRACEPARENT)).isEqualTo(traceparent(send.getSpanContext()));
      assertThat(got.extension(Event.TRACESTATE))
          .as("the state of the trace continued")
          .isEqualTo("vendor=opaque");
    }
  }

  @Test
  void aCurrentSpanWinsOverACarriedTraceparentAndItsStaleTracestateIsDropped() throws Exception {
    String stale = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    CompletableFuture<Event<?>> received = new CompletableFuture<>();
    try (EventBus bus = Herald.builder().interceptor(HeraldTracing.create(tracing.sdk)).build()) {
      bus.subscribe("order.placed", received::complete);
      Event<String> e =
          Event.<String>builder("order.placed")
              .traceparent(stale)
              .extension(Event.TRACESTATE, "vendor=opaque")
              .correlationId("c-1")
              .key("k-1")
              .subject("s")
              .data("o-1")
              .build();
      Span app =
          tracing.inSpan(
              "app",
              () -> {
                bus.publish(e).get(10, TimeUnit.SECONDS);
              });
      SpanData send = tracing.await(SpanKind.PRODUCER, "send order.placed");
      assertThat(parent(send)).isEqualTo(ids(app));
      Event<?> got = received.get(10, TimeUnit.SECONDS);
      assertThat(got.extension(Event.TRACEPARENT)).isEqualTo(traceparent(send.getSpanContext()));
      assertThat(got.extensions()).doesNotContainKey(Event.TRACESTATE);
      assertThat(got.id()).isEqualTo(e.id());
      assertThat(got.correlationId()).isEqualTo("c-1");
      assertThat(got.key()).isEqualTo("k-1");
      assertThat(got.subject()).isEqualTo("s");
      assertThat(got.time()).isEqualTo(e.time());
      assertThat(got.data()).isEqualTo("o-1");
    }
  }
}
