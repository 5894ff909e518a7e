package dev.herald.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.BusListener;
import dev.herald.DeadLetter;
import dev.herald.Event;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bus's listener that the health indicator installs observes what the application's listener
 * observes, no more: the bus logs a dead letter or a store failure nobody takes, and times every
 * handler call, only for a listener that overrides those methods.
 */
class HeraldBusStateTest {
  private static Class<?> declaring(BusListener l, String method, Class<?>... parameters)
      throws NoSuchMethodException {
    return l.getClass().getMethod(method, parameters).getDeclaringClass();
  }

  @Test
  void withoutAnApplicationListenerItOverridesNoneOfTheObservingMethods() throws Exception {
    BusListener l = new HeraldBusState(BusListener.none()).listener();
    assertThat(declaring(l, "onDeadLetter", DeadLetter.class)).isEqualTo(BusListener.class);
    assertThat(declaring(l, "onStoreFailed", Event.class, Throwable.class))
        .isEqualTo(BusListener.class);
    assertThat(declaring(l, "onHandled", String.class, Event.class, int.class, long.class))
        .isEqualTo(BusListener.class);
    assertThat(declaring(l, "onFeedFailed", String.class, Throwable.class))
        .isNotEqualTo(BusListener.class);
  }

  @Test
  void itOverridesWhatTheApplicationsListenerOverridesAndForwardsIt() throws Exception {
    List<String> heard = new ArrayList<>();
    BusListener own =
        new BusListener() {
          @Override
          public void onDeadLetter(DeadLetter deadLetter) {
            heard.add("dead letter");
          }

          @Override
          public void onFeedFailed(String subscription, Throwable cause) {
            heard.add("feed " + subscription);
          }
        };
    HeraldBusState state = new HeraldBusState(own);
    BusListener l = state.listener();
    assertThat(declaring(l, "onDeadLetter", DeadLetter.class)).isNotEqualTo(BusListener.class);
    assertThat(declaring(l, "onStoreFailed", Event.class, Throwable.class))
        .isEqualTo(BusListener.class);
    assertThat(declaring(l, "onHandled", String.class, Event.class, int.class, long.class))
        .isEqualTo(BusListener.class);

    l.onDeadLetter(null);
    l.onFeedFailed("billing", new IllegalStateException("log corrupt"));
    assertThat(heard).containsExactly("dead letter", "feed billing");
    assertThat(state.failedFeeds()).containsKey("billing");
  }
}
