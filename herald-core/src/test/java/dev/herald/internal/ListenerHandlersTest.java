package dev.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.Event;
import dev.herald.EventHandler;
import dev.herald.PayloadHandler;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@link ListenerHandlers} builds the handler of one method, each way. */
class ListenerHandlersTest {
  /** Public, so that a lookup without private access reaches its methods too. */
  public static final class Recorder {
    final List<String> seen = new ArrayList<>();
    private final String name;

    public Recorder(String name) {
      this.name = name;
    }

    public void on(String payload) throws IOException {
      if (payload.equals("fail")) {
        throw new IOException("checked");
      }
      seen.add(name + " " + payload);
    }

    public void onEvent(Event<String> event) {
      seen.add(name + " " + event.type());
    }

    @SuppressWarnings("unused") // called through a generated class
    private void secretly(String payload) {
      seen.add(name + " secretly " + payload);
    }
  }

  private static Method method(String name, Class<?> parameter) throws Exception {
    return Recorder.class.getDeclaredMethod(name, parameter);
  }

  @Test
  void everyInstanceOfAClassSharesOneGeneratedClassBoundToItself() throws Exception {
    Method on = method("on", String.class);
    MethodHandles.Lookup lookup = ListenerHandlers.lookupFor(on, null);
    Recorder a = new Recorder("a");
    Recorder b = new Recorder("b");

    ListenerHandlers.Built<PayloadHandler<Object>> first =
        ListenerHandlers.payloadHandler(a, on, lookup);
    ListenerHandlers.Built<PayloadHandler<Object>> second =
        ListenerHandlers.payloadHandler(b, on, lookup);
    first.handler().handle("x");
    second.handler().handle("y");

    assertThat(first.dispatch()).isEqualTo(ListenerHandlers.Dispatch.GENERATED);
    assertThat(second.dispatch()).isEqualTo(ListenerHandlers.Dispatch.GENERATED);
    assertThat(second.handler().getClass()).isSameAs(first.handler().getClass());
    assertThat(first.handler()).isNotSameAs(second.handler());
    assertThat(a.seen).containsExactly("a x");
    assertThat(b.seen).containsExactly("b y");
  }

  @Test
  void aPrivateMethodIsCalledThroughAGeneratedNestmate() throws Exception {
    Method secretly = method("secretly", String.class);
    Recorder r = new Recorder("r");

    ListenerHandlers.Built<PayloadHandler<Object>> built =
        ListenerHandlers.payloadHandler(r, secretly, ListenerHandlers.lookupFor(secretly, null));
    built.handler().handle("p");

    assertThat(built.dispatch()).isEqualTo(ListenerHandlers.Dispatch.GENERATED);
    assertThat(r.seen).containsExactly("r secretly p");
  }

  @Test
  void aLookupThatMayDefineNoClassGetsABoundMethodHandle() throws Exception {
    Method on = method("on", String.class);
    MethodHandles.Lookup weak = MethodHandles.lookup().dropLookupMode(MethodHandles.Lookup.MODULE);
    Recorder r = new Recorder("r");

    ListenerHandlers.Built<PayloadHandler<Object>> built =
        ListenerHandlers.payloadHandler(r, on, ListenerHandlers.lookupFor(on, weak));
    built.handler().handle("z");

    assertThat(built.dispatch()).isEqualTo(ListenerHandlers.Dispatch.METHOD_HANDLE);
    assertThat(r.seen).containsExactly("r z");
  }

  @Test
  void aCheckedExceptionPropagatesUnwrappedEitherWay() throws Exception {
    Method on = method("on", String.class);
    MethodHandles.Lookup weak = MethodHandles.lookup().dropLookupMode(MethodHandles.Lookup.MODULE);
    Recorder r = new Recorder("r");
    PayloadHandler<Object> generated =
        ListenerHandlers.payloadHandler(r, on, ListenerHandlers.lookupFor(on, null)).handler();
    PayloadHandler<Object> bound =
        ListenerHandlers.payloadHandler(r, on, ListenerHandlers.lookupFor(on, weak)).handler();

    assertThatThrownBy(() -> generated.handle("fail"))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("checked");
    assertThatThrownBy(() -> bound.handle("fail"))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("checked");
    // A payload of another class fails as a cast would, before the method runs.
    assertThatThrownBy(() -> generated.handle(42)).isInstanceOf(ClassCastException.class);
    assertThatThrownBy(() -> bound.handle(42)).isInstanceOf(ClassCastException.class);
    assertThat(r.seen).isEmpty();
  }

  @Test
  void anEventMethodGetsTheWholeEventEitherWay() throws Exception {
    Method onEvent = method("onEvent", Event.class);
    MethodHandles.Lookup weak = MethodHandles.lookup().dropLookupMode(MethodHandles.Lookup.MODULE);
    Recorder r = new Recorder("r");

    ListenerHandlers.Built<EventHandler<Object>> generated =
        ListenerHandlers.eventHandler(r, onEvent, ListenerHandlers.lookupFor(onEvent, null));
    ListenerHandlers.Built<EventHandler<Object>> bound =
        ListenerHandlers.eventHandler(r, onEvent, ListenerHandlers.lookupFor(onEvent, weak));
    generated.handler().handle(Event.of("a.b", "x"));
    bound.handler().handle(Event.of("c.d", "y"));

    assertThat(generated.dispatch()).isEqualTo(ListenerHandlers.Dispatch.GENERATED);
    assertThat(bound.dispatch()).isEqualTo(ListenerHandlers.Dispatch.METHOD_HANDLE);
    assertThat(r.seen).containsExactly("r a.b", "r c.d");
  }
}
