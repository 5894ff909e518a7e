package dev.herald.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The libraries compared, by the id used in JMH's {@code library} parameter, the latency harness
 * and the result tables. Herald fire-and-forget is the reference every ratio is taken against.
 */
enum Library {
  HERALD_EMIT(
      "herald-emit",
      "Herald emit (fire-and-forget), defaults",
      (pubs, subs) -> HeraldContender.emit(subs, HeraldContender.Setup.DEFAULTS)),
  HERALD_PUBLISH(
      "herald-publish",
      "Herald publish (tracked), defaults",
      (pubs, subs) -> HeraldContender.tracked(subs, HeraldContender.Setup.DEFAULTS)),
  HERALD_EMIT_TUNED(
      "herald-emit-tuned",
      "Herald emit, mailbox 65,536",
      (pubs, subs) -> HeraldContender.emit(subs, HeraldContender.Setup.TUNED)),
  HERALD_PUBLISH_TUNED(
      "herald-publish-tuned",
      "Herald publish, mailbox 65,536",
      (pubs, subs) -> HeraldContender.tracked(subs, HeraldContender.Setup.TUNED)),
  HERALD_EMIT_FORK_JOIN(
      "herald-emit-fj",
      "Herald emit, defaults on a ForkJoinPool (async mode)",
      (pubs, subs) -> HeraldContender.emit(subs, HeraldContender.Setup.FORK_JOIN)),
  DISRUPTOR(
      "disruptor", "LMAX Disruptor 4 (direct)", (pubs, subs) -> new DisruptorContender(pubs, subs)),
  GUAVA_ASYNC("guava-async", "Guava AsyncEventBus", (pubs, subs) -> GuavaContender.async(subs)),
  GUAVA_SYNC(
      "guava-sync", "Guava EventBus (synchronous)", (pubs, subs) -> GuavaContender.sync(subs)),
  MBASSADOR("mbassador", "MBassador (async)", (pubs, subs) -> new MBassadorContender(subs)),
  GREENROBOT_BACKGROUND(
      "greenrobot-background",
      "greenrobot EventBus BACKGROUND",
      (pubs, subs) -> GreenrobotContender.background(subs)),
  GREENROBOT_ASYNC(
      "greenrobot-async",
      "greenrobot EventBus ASYNC",
      (pubs, subs) -> GreenrobotContender.async(subs)),
  SEED("seed-go-port", "Seed Go bus (Java port)", (pubs, subs) -> new SeedContender(subs));

  /** The thread pool size given to libraries that take one: Herald's own default. */
  static final int POOL_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

  final String id;
  final String title;
  private final Opener opener;

  Library(String id, String title, Opener opener) {
    this.id = id;
    this.title = title;
    this.opener = opener;
  }

  /** Sets a library up for a number of publishing threads and one subscription per sink. */
  @FunctionalInterface
  interface Opener {
    Contender open(int publishers, List<TickSink> subscribers);
  }

  /** Sets the bus up for {@code publishers} publishing threads and one subscription per sink. */
  Contender open(int publishers, List<TickSink> subscribers) {
    return opener.open(publishers, subscribers);
  }

  static Library byId(String id) {
    for (Library l : values()) {
      if (l.id.equals(id)) {
        return l;
      }
    }
    throw new IllegalArgumentException(
        "unknown library '" + id + "'; known: " + Arrays.toString(ids()));
  }

  static String[] ids() {
    return Arrays.stream(values()).map(l -> l.id).toArray(String[]::new);
  }
}
