package dev.herald.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The libraries compared, by the id used in JMH's {@code library} parameter, the latency harness
 * and the result tables. Herald fire-and-forget is the reference every ratio is taken against.
 */
enum Library {
  HERALD_EMIT("herald-emit", "Herald emit (fire-and-forget)") {
    @Override
    Contender open(int publishers, List<TickSink> subscribers) {
      return HeraldContender.emit(subscribers);
    }
  },
  HERALD_PUBLISH("herald-publish", "Herald publish (tracked)") {
    @Override
    Contender open(int publishers, List<TickSink> subscribers) {
      return HeraldContender.tracked(subscribers);
    }
  },
  DISRUPTOR("disruptor", "LMAX Disruptor 4 (direct)") {
    @Override
    Contender open(int publishers, List<TickSink> subscribers) {
      return new DisruptorContender(publishers, subscribers);
    }
  },
  GUAVA_ASYNC("guava-async", "Guava AsyncEventBus") {
    @Override
    Contender open(int publishers, List<TickSink> subscribers) {
      return GuavaContender.async(subscribers);
    }
  },
  GUAVA_SYNC("guava-sync", "Guava EventBus (synchronous)") {
    @Override
    Contender open(int publishers, List<TickSink> subscribers) {
      return GuavaContender.sync(subscribers);
    }
  },
  MBASSADOR("mbassador", "MBassador (async)") {
    @Override
    Contender open(int publishers, List<TickSink> subscribers) {
      return new MBassadorContender(subscribers);
    }
  },
  GREENROBOT_BACKGROUND("greenrobot-background", "greenrobot EventBus BACKGROUND") {
    @Override
    Contender open(int publishers, List<TickSink> subscribers) {
      return GreenrobotContender.background(subscribers);
    }
  },
  GREENROBOT_ASYNC("greenrobot-async", "greenrobot EventBus ASYNC") {
    @Override
    Contender open(int publishers, List<TickSink> subscribers) {
      return GreenrobotContender.async(subscribers);
    }
  },
  SEED("seed-go-port", "Seed Go bus (Java port)") {
    @Override
    Contender open(int publishers, List<TickSink> subscribers) {
      return new SeedContender(subscribers);
    }
  };

  /** The thread pool size given to libraries that take one: Herald's own default. */
  static final int POOL_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

  final String id;
  final String title;

  Library(String id, String title) {
    this.id = id;
    this.title = title;
  }

  /** Sets the bus up for {@code publishers} publishing threads and one subscription per sink. */
  abstract Contender open(int publishers, List<TickSink> subscribers);

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
