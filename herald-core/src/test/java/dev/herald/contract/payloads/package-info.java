/**
 * Payload classes of the durable contract's typed-payload tests. No transport's test codec allows
 * this package: a subscription that names one of these classes must get instances of it all the
 * same.
 */
package dev.herald.contract.payloads;
