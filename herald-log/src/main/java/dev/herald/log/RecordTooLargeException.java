package dev.herald.log;

/**
 * A record is larger, encoded, than {@link LogOptions#maxRecordBytes()}: the log refuses it (an
 * {@link IllegalArgumentException}, as before this type existed). Callers that answer such a
 * refusal differently from other bad input (the HTTP gateway's 413) test for this type, not the
 * message.
 */
public final class RecordTooLargeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final long sizeBytes;
  private final long maxRecordBytes;

  public RecordTooLargeException(long sizeBytes, long maxRecordBytes) {
    super("record of " + sizeBytes + " bytes exceeds maxRecordBytes " + maxRecordBytes);
    this.sizeBytes = sizeBytes;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** The record's size, encoded. */
  public long sizeBytes() {
    return sizeBytes;
  }

  /** The log's limit. */
  public long maxRecordBytes() {
    return maxRecordBytes;
  }
}
