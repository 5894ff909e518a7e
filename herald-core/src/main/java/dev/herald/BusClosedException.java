package dev.herald;

/** The bus was closed: it accepts no more publishes or subscriptions. */
public class BusClosedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public BusClosedException(String what) {
    super("the bus is closed: cannot " + what);
  }
}
