package dev.herald;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.spi.Interceptor;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link EventBus#register}: annotated listeners, on the in-memory bus. */
@Timeout(value = 60, unit = SECONDS)
class RegisterTest {
  record OrderPlaced(String id, long amountCents) {}

  record OrderShipped(String id) {}

  private final RecordingListener busListener = new RecordingListener();
  private EventBus bus = Herald.builder().listener(busListener).build();

  @AfterEach
  void closeBus() {
    bus.close(Duration.ofSeconds(10));
  }

  static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(30, SECONDS);
  }

  /** Remembers handler failures and dead letters. */
  static final class RecordingListener implements BusListener {
    final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<DeadLetter> deadLetters = new ConcurrentLinkedQueue<>();

    @Override
    public void onHandlerFailure(
        String subscription, Event<?> event, Throwable cause, int attempt, boolean willRetry) {
      failures.add(cause);
    }

    @Override
    public void onDeadLetter(DeadLetter deadLetter) {
      deadLetters.add(deadLetter);
    }
  }

  // ------------------------------------------------------------------ what a listener receives

  static class Shop {
    final ConcurrentLinkedQueue<Object> seen = new ConcurrentLinkedQueue<>();

    @Subscribe
    void placed(OrderPlaced order) {
      seen.add("placed " + order.id());
    }

    @Subscribe
    void shipped(Event<OrderShipped> event) {
      seen.add(event.type() + " " + event.data().id());
    }

    @Subscribe(type = "order.*")
    void anyOrder(Event<Object> event) {
      seen.add("any " + event.type());
    }

    @Subscribe(type = "refund.issued")
    void refund(String reason) {
      seen.add("refund " + reason);
    }

    List<Object> awaitSeen(int n) {
      await().atMost(30, SECONDS).until(() -> seen.size() >= n);
      return new ArrayList<>(seen);
    }
  }

  /** As a framework's proxy subclass is: {@code $$} in its name, overriding without annotations. */
  static class Shop$$Proxy extends Shop {
    @Override
    void placed(OrderPlaced order) {
      seen.add("proxied placed " + order.id());
    }
  }

  @Nested
  class Receiving {
    @Test
    void payloadAndEventParametersByClassAndByType() throws Exception {
      Shop shop = new Shop();
      Registration r = bus.register(shop);

      assertThat(r.listener()).isSameAs(shop);
      assertThat(r.subscriptions())
          .extracting(Subscription::name)
          .containsExactly("Shop.anyOrder", "Shop.placed", "Shop.refund", "Shop.shipped");
      get(bus.publish("order.placed", new OrderPlaced("o-1", 500)));
      get(bus.publish("shipping.done", new OrderShipped("o-1")));
      get(bus.publish("refund.issued", "damaged"));
      assertThat(shop.awaitSeen(4))
          .containsExactlyInAnyOrder(
              "placed o-1", "any order.placed", "shipping.done o-1", "refund damaged");
    }

    @Test
    void aFrameworkProxyIsNamedAfterTheClassItExtendsAndDispatchesToItsOverrides()
        throws Exception {
      Shop proxy = new Shop$$Proxy();
      Registration r = bus.register(proxy);

      assertThat(r.subscriptions())
          .extracting(Subscription::name)
          .containsExactly("Shop.anyOrder", "Shop.placed", "Shop.refund", "Shop.shipped");
      get(bus.publish("order.placed", new OrderPlaced("o-5", 1)));
      assertThat(proxy.awaitSeen(2))
          .containsExactlyInAnyOrder("proxied placed o-5", "any order.placed");
    }

    @Test
    void aTypedPayloadMethodDeadLettersForeignPayloads() throws Exception {
      Shop shop = new Shop();
      bus.register(shop);

      PublishResult result = get(bus.publish("refund.issued", 42));

      assertThat(result.deliveries())
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.subscription()).isEqualTo("Shop.refund");
                assertThat(d.outcome()).isEqualTo(Delivery.Outcome.DEAD_LETTERED);
                assertThat(d.failure()).isInstanceOf(ClassCastException.class);
              });
      assertThat(shop.seen).isEmpty();
    }

    @Test
    void eventParameterWithATypeAndAPayloadClassSelectsByTypeAndChecksTheClass() throws Exception {
      ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
      Object listener =
          new Object() {
            @Subscribe(type = "order.#")
            void on(Event<OrderPlaced> event) {
              seen.add(event.data().id());
            }
          };
      bus.register(listener);

      get(bus.publish("order.placed.eu", new OrderPlaced("o-2", 1)));
      PublishResult foreign = get(bus.publish("order.placed", "no order"));

      await().atMost(30, SECONDS).until(() -> seen.size() == 1);
      assertThat(seen).containsExactly("o-2");
      assertThat(foreign.deliveries())
          .singleElement()
          .satisfies(d -> assertThat(d.failure()).isInstanceOf(ClassCastException.class));
    }
  }

  // ------------------------------------------------------------------ which methods count

  abstract static class Base {
    final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();

    @Subscribe
    private void privately(OrderPlaced o) {
      seen.add("Base.privately");
    }

    @Subscribe
    void overriddenAnnotatedInBoth(OrderPlaced o) {
      seen.add("Base.overriddenAnnotatedInBoth");
    }

    @Subscribe
    protected void overriddenAnnotatedHere(OrderPlaced o) {
      seen.add("Base.overriddenAnnotatedHere");
    }

    @Subscribe
    public void inherited(OrderPlaced o) {
      seen.add("Base.inherited");
    }
  }

  static final class Derived extends Base {
    @Subscribe
    private void privately(OrderPlaced o) {
      seen.add("Derived.privately");
    }

    @Subscribe
    @Override
    void overriddenAnnotatedInBoth(OrderPlaced o) {
      seen.add("Derived.overriddenAnnotatedInBoth");
    }

    @Override
    protected void overriddenAnnotatedHere(OrderPlaced o) {
      seen.add("Derived.overriddenAnnotatedHere");
    }

    void notAnnotated(OrderPlaced o) {
      seen.add("Derived.notAnnotated");
    }
  }

  /** A generic superclass: the subclass's override comes with a bridge method, left out. */
  abstract static class Generic<T> {
    abstract void on(T payload);
  }

  static final class Concrete extends Generic<OrderPlaced> {
    final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();

    @Subscribe
    @Override
    void on(OrderPlaced payload) {
      seen.add(payload.id());
    }
  }

  @Nested
  class Methods {
    @Test
    void anyVisibilityInheritedAndOverriddenOnesCountOnce() throws Exception {
      Derived d = new Derived();
      Registration r = bus.register(d);

      assertThat(r.subscriptions())
          .extracting(Subscription::name)
          .containsExactly(
              "Derived.inherited",
              "Derived.overriddenAnnotatedHere",
              "Derived.overriddenAnnotatedInBoth",
              "Derived.privately(OrderPlaced)",
              "Derived.privately(OrderPlaced)#2");
      get(bus.publish("order.placed", new OrderPlaced("o", 1)));
      await().atMost(30, SECONDS).until(() -> d.seen.size() >= 5);
      assertThat(d.seen)
          .containsExactlyInAnyOrder(
              "Base.inherited",
              "Derived.overriddenAnnotatedHere",
              "Derived.overriddenAnnotatedInBoth",
              "Derived.privately",
              "Base.privately");
    }

    @Test
    void aBridgeMethodIsNotASecondHandler() throws Exception {
      Concrete c = new Concrete();
      Registration r = bus.register(c);

      assertThat(r.subscriptions()).extracting(Subscription::name).containsExactly("Concrete.on");
      PublishResult result = get(bus.publish("order.placed", new OrderPlaced("o-3", 1)));
      assertThat(result.deliveries()).hasSize(1);
      await().atMost(30, SECONDS).until(() -> c.seen.size() == 1);
      assertThat(c.seen).containsExactly("o-3");
    }

    @Test
    void overloadsGetTheirParameterTypeInTheirNamesAndExplicitNamesStay() {
      Object listener =
          new Object() {
            @Subscribe
            void on(OrderShipped o) {}

            @Subscribe
            void on(OrderPlaced o) {}

            @Subscribe(type = "a.b")
            void on(Event<Object> e) {}

            @Subscribe(name = "mine")
            void other(OrderPlaced o) {}
          };
      Registration r = bus.register(listener);

      String cls = "RegisterTest$Methods$1";
      assertThat(r.subscriptions())
          .extracting(Subscription::name)
          .containsExactly(
              cls + ".on(Event<Object>)",
              cls + ".on(OrderPlaced)",
              cls + ".on(OrderShipped)",
              "mine");
      assertThat(r.toString()).startsWith("Registration{" + cls + ": ");
    }
  }

  // ------------------------------------------------------------------ failures and retries

  static final class Flaky {
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch succeeded = new CountDownLatch(1);

    @Subscribe(name = "flaky")
    void on(OrderPlaced order) throws IOException {
      if (calls.incrementAndGet() == 1) {
        throw new IOException("disk full");
      }
      succeeded.countDown();
    }
  }

  @Test
  void aCheckedExceptionIsTheHandlersFailureDeadLetteredThenRedrivenToTheMethod() throws Exception {
    Flaky flaky = new Flaky();
    bus.register(flaky);

    PublishResult result = get(bus.publish("order.placed", new OrderPlaced("o-4", 1)));

    assertThat(result.deliveries())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.outcome()).isEqualTo(Delivery.Outcome.DEAD_LETTERED);
              assertThat(d.failure()).isInstanceOf(IOException.class).hasMessage("disk full");
            });
    assertThat(busListener.failures).singleElement().isInstanceOf(IOException.class);
    await().atMost(30, SECONDS).until(() -> busListener.deadLetters.size() == 1);
    DeadLetter dead = busListener.deadLetters.peek();
    assertThat(dead.subscription()).isEqualTo("flaky");
    assertThat(dead.causeType()).isEqualTo(IOException.class.getName());

    PublishResult again = get(bus.redrive(dead));

    assertThat(again.deliveries())
        .singleElement()
        .satisfies(d -> assertThat(d.outcome()).isEqualTo(Delivery.Outcome.HANDLED));
    assertThat(flaky.succeeded.await(30, SECONDS)).isTrue();
    assertThat(flaky.calls).hasValue(2);
  }

  // ------------------------------------------------------------------ invalid listeners

  static class NoMethods {
    void on(OrderPlaced o) {}
  }

  static class Static {
    @Subscribe
    static void on(OrderPlaced o) {}
  }

  static class NoParameter {
    @Subscribe
    void on() {}
  }

  static class TwoParameters {
    @Subscribe
    void on(OrderPlaced o, String s) {}
  }

  static class ReturnsAValue {
    @Subscribe
    String on(OrderPlaced o) {
      return "lost";
    }
  }

  static class Primitive {
    @Subscribe(type = "a.b")
    void on(int amount) {}
  }

  static class TakesVoid {
    @Subscribe(type = "a.b")
    void on(Void nothing) {}
  }

  static class EventOfObject {
    @Subscribe
    void on(Event<Object> e) {}
  }

  @SuppressWarnings("rawtypes")
  static class RawEvent {
    @Subscribe
    void on(Event e) {}
  }

  static class WildcardEvent {
    @Subscribe
    void on(Event<?> e) {}
  }

  static class TypeVariableEvent<T> {
    @Subscribe
    void on(Event<T> e) {}
  }

  static class ZeroConcurrency {
    @Subscribe(concurrency = 0)
    void on(OrderPlaced o) {}
  }

  static class BadPattern {
    @Subscribe(type = "order.*x")
    void on(OrderPlaced o) {}
  }

  static class BlankGroup {
    @Subscribe(group = " ")
    void on(OrderPlaced o) {}
  }

  static class ReservedName {
    @Subscribe(name = "herald.replies")
    void on(OrderPlaced o) {}
  }

  static class SameName {
    @Subscribe(name = "x")
    void a(OrderPlaced o) {}

    @Subscribe(name = "x")
    void b(OrderShipped o) {}
  }

  /** A valid method first in order, so that an invalid one after it must stop both. */
  static class ValidThenInvalid {
    @Subscribe
    void a(OrderPlaced o) {}

    @Subscribe
    int b(OrderPlaced o) {
      return 0;
    }
  }

  static Stream<Arguments> invalidListeners() {
    return Stream.of(
        Arguments.of(new NoMethods(), "NoMethods has no @Subscribe method"),
        Arguments.of(new Static(), "Static.on(OrderPlaced): is static"),
        Arguments.of(new NoParameter(), "NoParameter.on(): takes 0 parameters"),
        Arguments.of(new TwoParameters(), "TwoParameters.on(OrderPlaced, String): takes 2"),
        Arguments.of(new ReturnsAValue(), "ReturnsAValue.on(OrderPlaced): returns String"),
        Arguments.of(new Primitive(), "Primitive.on(int): takes a primitive int"),
        Arguments.of(new TakesVoid(), "TakesVoid.on(Void): takes a Void"),
        Arguments.of(new EventOfObject(), "EventOfObject.on(Event<Object>): takes Event<Object>"),
        Arguments.of(new RawEvent(), "RawEvent.on(Event): takes Event and names no type"),
        Arguments.of(new WildcardEvent(), "WildcardEvent.on(Event<?>): takes Event<?> and"),
        Arguments.of(
            new TypeVariableEvent<OrderPlaced>(), "TypeVariableEvent.on(Event<T>): takes Event<T>"),
        Arguments.of(new ZeroConcurrency(), "ZeroConcurrency.on(OrderPlaced): concurrency"),
        Arguments.of(new BadPattern(), "BadPattern.on(OrderPlaced): pattern"),
        Arguments.of(new BlankGroup(), "BlankGroup.on(OrderPlaced): group"),
        Arguments.of(new ReservedName(), "ReservedName.on(OrderPlaced): name: 'herald.replies'"),
        Arguments.of(
            new SameName(),
            "SameName.a(OrderPlaced) and SameName.b(OrderShipped) both name the subscription 'x'"),
        Arguments.of(new ValidThenInvalid(), "ValidThenInvalid.b(OrderPlaced): returns int"));
  }

  @ParameterizedTest
  @MethodSource("invalidListeners")
  void anInvalidListenerIsRefusedNamingTheMethodAndNothingIsSubscribed(
      Object listener, String message) {
    assertThatThrownBy(() -> bus.register(listener))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
    assertThat(bus.stats().subscriptions()).isEmpty();
  }

  @Test
  void aNullListenerIsRefused() {
    assertThatThrownBy(() -> bus.register(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> bus.register(new Shop(), null))
        .isInstanceOf(NullPointerException.class);
  }

  // ------------------------------------------------------------------ all or nothing, closing

  static class ThreeMethods {
    final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();

    @Subscribe
    void a(OrderPlaced o) {
      seen.add("a");
    }

    @Subscribe
    void b(OrderPlaced o) {
      seen.add("b");
    }

    @Subscribe
    void c(OrderPlaced o) {
      seen.add("c");
    }
  }

  @Test
  void aNameTakenOnTheBusUndoesTheMethodsAlreadySubscribed() throws Exception {
    bus.subscribe(OrderShipped.class, o -> {}, SubscribeOptions.defaults().name("ThreeMethods.b"));
    ThreeMethods listener = new ThreeMethods();

    assertThatThrownBy(() -> bus.register(listener))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("@Subscribe method ThreeMethods.b(OrderPlaced): ")
        .hasMessageContaining("'ThreeMethods.b'");

    assertThat(bus.stats().subscriptions())
        .extracting(SubscriptionStats::name)
        .containsExactly("ThreeMethods.b");
    PublishResult result = get(bus.publish("order.placed", new OrderPlaced("o", 1)));
    assertThat(result.deliveries()).isEmpty();
    assertThat(listener.seen).isEmpty();
  }

  @Test
  void aClosedBusRefusesARegistration() {
    bus.close(Duration.ofSeconds(10));
    assertThatThrownBy(() -> bus.register(new ThreeMethods()))
        .isInstanceOf(BusClosedException.class);
  }

  @Test
  void closeEndsEverySubscriptionOnceAndTheListIsUnmodifiable() throws Exception {
    ThreeMethods listener = new ThreeMethods();
    Registration r = bus.register(listener);
    get(bus.publish("order.placed", new OrderPlaced("o", 1)));
    await().atMost(30, SECONDS).until(() -> listener.seen.size() == 3);

    r.close();
    r.close();

    assertThat(r.subscriptions()).hasSize(3).noneMatch(Subscription::isActive);
    assertThat(bus.stats().subscriptions()).isEmpty();
    assertThat(get(bus.publish("order.placed", new OrderPlaced("o", 2))).deliveries()).isEmpty();
    assertThat(listener.seen).hasSize(3);
    List<Subscription> list = r.subscriptions();
    assertThatThrownBy(() -> list.remove(0)).isInstanceOf(UnsupportedOperationException.class);
    // The same object may be registered again once closed: its default names are free.
    try (Registration again = bus.register(listener)) {
      assertThat(again.subscriptions()).hasSize(3).allMatch(Subscription::isActive);
    }
  }

  // ------------------------------------------------------------------ options

  static final class TwoAtOnce {
    final CountDownLatch twoInside = new CountDownLatch(2);
    final CountDownLatch done = new CountDownLatch(KEYS);
    final AtomicInteger timedOut = new AtomicInteger();

    @Subscribe(concurrency = 2)
    void on(OrderPlaced o) throws InterruptedException {
      // Passes once two calls were inside at the same time: only two lanes running at once can.
      twoInside.countDown();
      if (!twoInside.await(10, SECONDS)) {
        timedOut.incrementAndGet();
      }
      done.countDown();
    }
  }

  private static final int KEYS = 16;

  @Test
  void concurrencyLetsTheMethodRunOnTwoThreadsAtOnce() throws Exception {
    TwoAtOnce listener = new TwoAtOnce();
    bus.register(listener);

    // Sixteen keys: both lanes of two get some (each key's events stay on one lane).
    for (int i = 0; i < KEYS; i++) {
      bus.emit(Event.of("order.placed", "k-" + i, new OrderPlaced("o", i)));
    }

    assertThat(listener.done.await(30, SECONDS)).isTrue();
    assertThat(listener.timedOut).hasValue(0);
  }

  @Test
  void withoutConcurrencyTheMethodRunsOnOneThreadAtATime() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(200);
    Object listener =
        new Object() {
          @Subscribe
          void on(OrderPlaced o) {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            inside.decrementAndGet();
            done.countDown();
          }
        };
    bus.register(listener);
    for (int i = 0; i < 200; i++) {
      bus.emit(Event.of("order.placed", "k-" + i, new OrderPlaced("o", i)));
    }
    assertThat(done.await(30, SECONDS)).isTrue();
    assertThat(most).hasValue(1);
  }

  // ------------------------------------------------------------------ interceptors

  @Test
  void anInterceptorWrapsTheCallsOfAnnotatedHandlers() throws Exception {
    bus.close(Duration.ofSeconds(10));
    Map<String, String> around = new ConcurrentHashMap<>();
    CopyOnWriteArrayList<String> order = new CopyOnWriteArrayList<>();
    Interceptor interceptor =
        new Interceptor() {
          @Override
          public void aroundHandler(String subscription, String group, Event<?> event, Next next)
              throws Exception {
            order.add("before " + subscription);
            next.proceed(event);
            order.add("after " + subscription);
            around.put(subscription, event.type());
          }
        };
    bus = Herald.builder().interceptor(interceptor).build();
    CountDownLatch handled = new CountDownLatch(1);
    Object listener =
        new Object() {
          @Subscribe(name = "intercepted")
          void on(OrderPlaced o) {
            order.add("handler");
            handled.countDown();
          }
        };
    bus.register(listener);

    get(bus.publish("order.placed", new OrderPlaced("o", 1)));

    assertThat(handled.await(30, SECONDS)).isTrue();
    await().atMost(30, SECONDS).until(() -> around.containsKey("intercepted"));
    assertThat(around).containsEntry("intercepted", "order.placed");
    assertThat(order).containsExactly("before intercepted", "handler", "after intercepted");
  }

  // ------------------------------------------------------------------ how handlers are called

  /** A public listener whose public method a lookup without private access can still reach. */
  public static final class Open {
    final ConcurrentLinkedQueue<List<String>> stacks = new ConcurrentLinkedQueue<>();

    @Subscribe
    public void on(OrderPlaced o) {
      stacks.add(
          StackWalker.getInstance()
              .walk(s -> s.map(f -> f.getClassName() + "." + f.getMethodName()).toList()));
    }
  }

  @Test
  void onTheClassPathAGeneratedClassCallsTheMethodWithoutReflection() throws Exception {
    Open open = new Open();
    bus.register(open);

    get(bus.publish("order.placed", new OrderPlaced("o", 1)));

    await().atMost(30, SECONDS).until(() -> open.stacks.size() == 1);
    List<String> stack = open.stacks.peek();
    assertThat(stack).noneMatch(f -> f.startsWith("java.lang.reflect."));
    assertThat(stack).noneMatch(f -> f.startsWith("jdk.internal.reflect."));
    assertThat(stack).noneMatch(f -> f.contains("ListenerHandlers$Bound"));
  }

  @Test
  void aLookupThatCannotDefineClassesFallsBackToAMethodHandle() throws Exception {
    Open open = new Open();
    // Without MODULE access a lookup may reach public members, but define no class.
    bus.register(open, MethodHandles.lookup().dropLookupMode(MethodHandles.Lookup.MODULE));

    get(bus.publish("order.placed", new OrderPlaced("o", 1)));

    await().atMost(30, SECONDS).until(() -> open.stacks.size() == 1);
    List<String> stack = open.stacks.peek();
    assertThat(stack).anyMatch(f -> f.contains("ListenerHandlers$BoundPayloadHandler.handle"));
    assertThat(stack).noneMatch(f -> f.startsWith("java.lang.reflect."));
  }

  @Test
  void aLookupThatCannotReachAPrivateMethodFailsTheRegistrationNamingIt() {
    Object listener = new Derived();
    MethodHandles.Lookup publicOnly = MethodHandles.publicLookup();

    assertThatThrownBy(() -> bus.register(listener, publicOnly))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "@Subscribe method Base.inherited(OrderPlaced): Herald may not call it")
        .hasMessageContaining("register with a Lookup from its module");
    assertThat(bus.stats().subscriptions()).isEmpty();
  }

  @Test
  void aLookupFromTheListenersOwnClassGeneratesTheHandler() throws Exception {
    Open open = new Open();
    bus.register(open, MethodHandles.lookup());

    get(bus.publish("order.placed", new OrderPlaced("o", 1)));

    await().atMost(30, SECONDS).until(() -> open.stacks.size() == 1);
    assertThat(open.stacks.peek()).noneMatch(f -> f.contains("ListenerHandlers$Bound"));
  }
}
