package dev.herald.contract.payloads;

/** A sealed hierarchy: a subscription to it names each of its permitted records. */
public sealed interface Shipment permits Shipment.Sent, Shipment.Returned {
  String orderId();

  record Sent(String orderId, String carrier) implements Shipment {}

  record Returned(String orderId, String reason) implements Shipment {}
}
