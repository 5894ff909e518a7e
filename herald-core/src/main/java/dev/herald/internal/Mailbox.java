package dev.herald.internal;

/**
 * A lane's bounded queue of events. A full mailbox answers {@code false} from {@link #offer}; it
 * never grows. Which threads may {@link #poll} depends on the implementation: {@link
 * MpscArrayQueue} allows one consumer at a time, {@link MpmcArrayQueue} any number.
 */
interface Mailbox {
  /** Adds {@code e} at the tail; false if the mailbox is full. Any thread. */
  boolean offer(Object e);

  /** Removes the head element; null only if the mailbox is empty. */
  Object poll();

  /** True if no element is queued or being queued. */
  boolean isEmpty();

  /** Elements queued now (approximate under concurrent use). */
  int size();

  /** True if an offer would fail now (approximate under concurrent use). */
  boolean isFull();

  /** How many elements were ever offered successfully. */
  long offered();

  int capacity();
}
