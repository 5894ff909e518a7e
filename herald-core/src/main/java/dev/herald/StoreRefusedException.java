package dev.herald;

/**
 * {@link EventBus#emit} was refused because the bus's transport refused to store the event at once:
 * its bounded append queue is full (store backpressure), it cannot encode the payload, or it is
 * closed. The event went nowhere, in process or stored; the transport's failure is the cause. Like
 * every store failure, it is counted in {@link BusStats#storeFailed()} and reported to {@link
 * BusListener#onStoreFailed}.
 */
public class StoreRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreRefusedException(String transport, Event<?> event, Throwable cause) {
    super(
        "transport '"
            + transport
            + "' refused to store event id '"
            + event.id()
            + "' of type '"
            + event.type()
            + "': "
            + cause,
        cause);
  }
}
