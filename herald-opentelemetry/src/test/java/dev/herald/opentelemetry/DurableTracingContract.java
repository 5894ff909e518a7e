package dev.herald.opentelemetry;

import static dev.herald.opentelemetry.TestTracing.ids;
import static dev.herald.opentelemetry.TestTracing.links;
import static dev.herald.opentelemetry.TestTracing.parent;
import static dev.herald.opentelemetry.TestTracing.traceparent;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import dev.herald.spi.Transport;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The trace context through a storing transport: an event's traceparent is stored with it and read
 * back by the group's feed, so a durable subscriber's process span links to the publisher's send
 * span, also when the subscriber's bus is another one, started later. Each transport's test extends
 * this.
 */
abstract class DurableTracingContract {
  final TestTracing tracing = new TestTracing();

  /** A new transport over this test's storage (the same log directory, the same topics). */
  protected abstract Transport openTransport();

  @AfterEach
  void closeTracing() {
    tracing.close();
  }

  private EventBus bus(HeraldTracing tracing) {
    return Herald.builder().transport(openTransport()).interceptor(tracing).build();
  }

  @Test
  void aDurableSubscribersProcessSpanLinksToTheStoredSendSpan() throws Exception {
    CompletableFuture<Event<?>> got = new CompletableFuture<>();
    Event<String> order = Event.of("order.placed", "o-1");
    Span checkout;
    try (EventBus bus = bus(HeraldTracing.create(tracing.sdk))) {
      bus.subscribe(
          "order.placed",
          got::complete,
          SubscribeOptions.defaults().group("billing").name("billing-1"));
      checkout = tracing.inSpan("checkout", () -> bus.publish(order).get(30, SECONDS));
      Event<?> delivered = got.get(30, SECONDS);
      SpanData send = tracing.await(SpanKind.PRODUCER, "send order.placed");
      assertThat(parent(send)).isEqualTo(ids(checkout));
      assertThat(delivered.id()).isEqualTo(order.id());
      assertThat(delivered.extension(Event.TRACEPARENT))
          .as("stored and read back")
          .isEqualTo(traceparent(send.getSpanContext()));
      SpanData process = tracing.await(SpanKind.CONSUMER, "process order.placed");
      assertThat(links(process)).containsExactly(ids(send));
      assertThat(process.getParentSpanContext().isValid()).isFalse();
      assertThat(process.getAttributes().get(MessagingAttributes.CONSUMER_GROUP_NAME))
          .isEqualTo("billing");
      assertThat(process.getAttributes().get(MessagingAttributes.SUBSCRIPTION_NAME))
          .isEqualTo("billing-1");
      assertThat(process.getAttributes().get(MessagingAttributes.MESSAGE_ID)).isEqualTo(order.id());
    }
  }

  @Test
  void withParentChildAHandlersDurablePublishStaysInThePublishersTrace() throws Exception {
    CompletableFuture<Event<?>> mailed = new CompletableFuture<>();
    Span checkout;
    try (EventBus bus = bus(HeraldTracing.builder(tracing.sdk).parentChild(true).build())) {
      bus.subscribe(
          "order.placed",
          e -> bus.publish(Event.causedBy(e, "order.billed").data("paid").build()),
          SubscribeOptions.defaults().group("billing"));
      bus.subscribe("order.billed", mailed::complete, SubscribeOptions.defaults().group("mail"));
      checkout =
          tracing.inSpan("checkout", () -> bus.publish("order.placed", "o-1").get(30, SECONDS));
      mailed.get(30, SECONDS);
    }
    SpanData send = tracing.await(SpanKind.PRODUCER, "send order.placed");
    SpanData process = tracing.await(SpanKind.CONSUMER, "process order.placed");
    SpanData sendBilled = tracing.await(SpanKind.PRODUCER, "send order.billed");
    SpanData processBilled = tracing.await(SpanKind.CONSUMER, "process order.billed");
    assertThat(parent(process)).isEqualTo(ids(send));
    assertThat(parent(sendBilled)).isEqualTo(ids(process));
    assertThat(parent(processBilled)).isEqualTo(ids(sendBilled));
    assertThat(List.of(send, process, sendBilled, processBilled))
        .extracting(SpanData::getTraceId)
        .containsOnly(checkout.getSpanContext().getTraceId());
  }

  @Test
  void aSubscriberOnANewBusOverTheSameStorageLinksToTheSendSpanOfTheOldOne() throws Exception {
    Event<String> order = Event.of("order.placed", "o-1");
    try (EventBus first = bus(HeraldTracing.create(tracing.sdk))) {
      tracing.inSpan("checkout", () -> first.publish(order).get(30, SECONDS));
    }
    SpanData send = tracing.await(SpanKind.PRODUCER, "send order.placed");

    CompletableFuture<Event<?>> got = new CompletableFuture<>();
    try (TestTracing later = new TestTracing();
        EventBus second = bus(HeraldTracing.create(later.sdk))) {
      second.subscribe(
          "order.placed",
          e -> {
            if (e.id().equals(order.id())) {
              got.complete(e);
            }
          },
          SubscribeOptions.defaults().group("late"));
      assertThat(got.get(30, SECONDS).extension(Event.TRACEPARENT))
          .isEqualTo(traceparent(send.getSpanContext()));
      SpanData process = later.await(SpanKind.CONSUMER, "process order.placed");
      assertThat(links(process)).containsExactly(ids(send));
    }
  }
}
