package dev.herald.bench.http;

import dev.herald.Event;
import dev.herald.codec.CloudEventsBinary;
import dev.herald.codec.CloudEventsStructured;
import dev.herald.codec.JsonPayloadCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The CPU a batched publish spends per event between the request body and the stored record, on one
 * thread, without HTTP or the store: each of the {@value #BATCH} structured events of {@link
 * HttpPublishTwoClients}'s batch read from its slice of the body and encoded as the log's
 * binary-mode record (headers and payload, {@link CloudEventsBinary#encode}).
 *
 * <ul>
 *   <li>{@code tree}: {@link CloudEventsStructured#decode} (a tree, its data written and read back
 *       into maps), what the gateway did before;
 *   <li>{@code onePass}: {@link CloudEventsStructured#decodeToStore} (one streaming pass, the data
 *       kept as compact JSON text), what it does now.
 * </ul>
 *
 * Scores are events per second on one core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class StructuredEventToRecord {
  static final int BATCH = 100;

  private final JsonPayloadCodec codec = JsonPayloadCodec.defaults();
  private final CloudEventsStructured structured = new CloudEventsStructured(codec);
  private final CloudEventsBinary binary = new CloudEventsBinary(codec);
  private final byte[][] elements = new byte[BATCH][];

  public StructuredEventToRecord() {
    for (int i = 0; i < BATCH; i++) {
      elements[i] =
          ("{\"specversion\":\"1.0\",\"id\":\"bench-"
                  + i
                  + "\",\"type\":\"order.placed\",\"source\":\"/bench\",\"data\":"
                  + "{\"sku\":\"sku-000123\",\"qty\":2,\"cents\":1250}}")
              .getBytes(StandardCharsets.UTF_8);
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int tree() {
    int bytes = 0;
    for (byte[] e : elements) {
      bytes += record(structured.decode(e, null));
    }
    return bytes;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int onePass() {
    int bytes = 0;
    for (byte[] e : elements) {
      bytes += record(structured.decodeToStore(e, 0, e.length));
    }
    return bytes;
  }

  private int record(Event<Object> event) {
    int[] size = {0};
    byte[] payload = binary.encode(event, (name, value) -> size[0] += value.length);
    return size[0] + payload.length;
  }
}
