package dev.herald;

import dev.herald.internal.Engine;
import dev.herald.internal.Names;
import dev.herald.spi.Interceptor;
import dev.herald.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Creates event buses.
 *
 * <pre>{@code
 * EventBus bus = Herald.inMemory();
 * bus.subscribe(OrderPlaced.class, order -> ship(order));
 * bus.publish("order.placed", new OrderPlaced("o-1"));
 * }</pre>
 */
public final class Herald {
  private Herald() {}

  /** An in-memory bus with default settings. Close it when done. */
  public static EventBus inMemory() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Configures a bus. Not safe for use from multiple threads. */
  public static final class Builder {
    /** How many requests may wait for a reply at a time, by default. */
    public static final int DEFAULT_MAX_PENDING_REQUESTS = 1 << 16;

    /** The most {@link #maxPendingRequests} allows. */
    public static final int MAX_PENDING_REQUESTS = 1 << 20;

    private Executor executor;
    private int workerThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
    private BusListener listener = BusListener.none();
    private TimeSource timeSource = TimeSource.system();
    private String source = Event.DEFAULT_SOURCE;
    private Transport transport;
    private int maxPendingRequests = DEFAULT_MAX_PENDING_REQUESTS;
    private final List<Interceptor> interceptors = new ArrayList<>();

    private Builder() {}

    /**
     * Runs handlers on {@code executor} (for example {@code
     * Executors.newVirtualThreadPerTaskExecutor()} on Java 21). Herald never shuts it down. By
     * default the bus runs its own pool of {@link #workerThreads} threads, stopped at close.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** The size of the bus's own pool; default: the number of processors, at least 2. */
    public Builder workerThreads(int n) {
      if (n < 1 || n > 4096) {
        throw new IllegalArgumentException("workerThreads: must be within [1, 4096], was " + n);
      }
      this.workerThreads = n;
      return this;
    }

    public Builder listener(BusListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /** The CloudEvents {@code source} of the events the bus itself publishes (dead letters). */
    public Builder source(String source) {
      this.source = Names.requireSource(Objects.requireNonNull(source, "source"));
      return this;
    }

    /**
     * Stores events with {@code transport}, so that subscriptions given a {@link
     * SubscribeOptions#group consumer group} are durable: fed from the store, at least once, and
     * resumed after a restart. Subscriptions without a group stay in-process. The bus owns the
     * transport and closes it when it closes.
     */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /**
     * How many of the bus's {@link EventBus#request requests} may wait for a reply at a time;
     * default {@value #DEFAULT_MAX_PENDING_REQUESTS}. One more fails at once with a {@link
     * TooManyRequestsException}, so requesters that outrun their responders cannot grow memory
     * without bound.
     */
    public Builder maxPendingRequests(int n) {
      if (n < 1 || n > MAX_PENDING_REQUESTS) {
        throw new IllegalArgumentException(
            "maxPendingRequests: must be within [1, " + MAX_PENDING_REQUESTS + "], was " + n);
      }
      this.maxPendingRequests = n;
      return this;
    }

    /**
     * Adds an interceptor that sees every publish and wraps every handler call (tracing, metrics).
     * Several nest in the order they were added; see {@link Interceptor}.
     */
    public Builder interceptor(Interceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    public EventBus build() {
      return Engine.create(
          executor,
          workerThreads,
          listener,
          timeSource,
          source,
          transport,
          maxPendingRequests,
          interceptors);
    }
  }
}
