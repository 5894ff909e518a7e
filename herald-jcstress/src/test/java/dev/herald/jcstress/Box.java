package dev.herald.jcstress;

/**
 * An element whose field is written in its constructor and is not final: a consumer that reads
 * {@code value} as 0 saw the element before its contents, a publication the queue must prevent.
 */
final class Box {
  int value;

  Box(int value) {
    this.value = value;
  }
}
