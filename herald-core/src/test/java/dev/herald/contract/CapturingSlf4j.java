package dev.herald.contract;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * An SLF4J backend for tests that lets a test see what Herald logged: while a {@link Capture} is
 * open, the records of Herald's loggers (named {@code dev.herald...}) go to it and nowhere else;
 * otherwise those at {@code INFO} and above are written to the standard error of the moment, as a
 * plain backend would, so a test's log stays readable. Other libraries' loggers (Kafka's, Jetty's)
 * are disabled.
 *
 * <p>Not registered by the test-jar: a module whose tests use it names it in its own {@code
 * src/test/resources/META-INF/services/org.slf4j.spi.SLF4JServiceProvider}. Thread-safe.
 */
public final class CapturingSlf4j implements SLF4JServiceProvider {
  /** The most records one capture keeps; more are counted, not kept. */
  public static final int MAX_RECORDS = 10_000;

  private static final List<Capture> OPEN = new CopyOnWriteArrayList<>();

  /** One record, its message formatted. */
  public record Record(String logger, Level level, String message, Throwable thrown) {}

  /** Records of Herald's loggers from {@link #capture()} until {@link #close()}. */
  public static final class Capture implements AutoCloseable {
    private final List<Record> records = new ArrayList<>();
    private long leftOut;

    private synchronized void add(Record r) {
      if (records.size() < MAX_RECORDS) {
        records.add(r);
      } else {
        leftOut++;
      }
    }

    /** A copy of the records captured so far, in the order they were logged. */
    public synchronized List<Record> records() {
      return List.copyOf(records);
    }

    /** Records that did not fit in {@value CapturingSlf4j#MAX_RECORDS}. */
    public synchronized long leftOut() {
      return leftOut;
    }

    @Override
    public void close() {
      OPEN.remove(this);
    }
  }

  /** Starts capturing Herald's log records, until the returned capture is closed. */
  public static Capture capture() {
    Capture c = new Capture();
    OPEN.add(c);
    return c;
  }

  private final ILoggerFactory loggers = new Loggers();
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  private static final class Loggers implements ILoggerFactory {
    private final ConcurrentHashMap<String, Logger> byName = new ConcurrentHashMap<>();

    @Override
    public Logger getLogger(String name) {
      return byName.computeIfAbsent(name, CapturingLogger::new);
    }
  }

  private static final class CapturingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final boolean herald;

    CapturingLogger(String name) {
      this.name = name;
      this.herald = name.startsWith("dev.herald");
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return herald;
    }

    @Override
    public boolean isInfoEnabled() {
      return herald;
    }

    @Override
    public boolean isWarnEnabled() {
      return herald;
    }

    @Override
    public boolean isErrorEnabled() {
      return herald;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable thrown) {
      if (!herald || level == Level.TRACE) {
        return;
      }
      Record r =
          new Record(name, level, MessageFormatter.basicArrayFormat(pattern, arguments), thrown);
      if (OPEN.isEmpty()) {
        if (level == Level.DEBUG) {
          return;
        }
        PrintStream err = System.err;
        err.println(level + " " + name + " - " + r.message());
        if (thrown != null) {
          thrown.printStackTrace(err);
        }
        return;
      }
      for (Capture c : OPEN) {
        c.add(r);
      }
    }
  }
}
