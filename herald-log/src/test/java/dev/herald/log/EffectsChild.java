package dev.herald.log;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Child JVM for {@link EffectsKillTest}: a Herald bus on the log in {@code DIR} whose consumer
 * group {@code workers} handles {@code cause.run} events by emitting one effect each ({@code
 * effect.made}, caused by the event), printing {@code handled <id>}, until it is killed. The group
 * commits after every acknowledgement, so a kill lands between the commits of many causes.
 */
public final class EffectsChild {
  private EffectsChild() {}

  static LogTransport open(Path dir) throws Exception {
    return LogTransport.builder(LogDirectory.open(dir, LogTransportTest.OPTIONS))
        .commitEvery(1)
        .idleWait(Duration.ofMillis(5))
        .build();
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    EventBus bus = Herald.builder().transport(open(Path.of(args[0]))).build();
    bus.subscribe(
        "cause.run",
        Integer.class,
        e -> {
          bus.emit(Event.<String>causedBy(e, "effect.made").data(e.id()).build());
          out.println("handled " + e.id());
        },
        SubscribeOptions.defaults().group("workers").name("workers").concurrency(4));
    new CountDownLatch(1).await(); // until killed
  }
}
