package dev.herald.log;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What recovery did when a log directory was opened: bytes truncated from a torn tail, indexes rebuilt,
 * segment tails quarantined by a repair. Immutable value.
 */
public final class RecoveryReport {

    /** Bytes removed from the end of a segment file. */
    public record Truncation(Path file, long position, long bytes, String reason) {
    }

    /** Bytes moved out of a segment into {@code quarantineFile} by a repair. */
    public record Quarantine(Path file, long position, long bytes, Path quarantineFile, String reason) {
    }

    private static final RecoveryReport CLEAN = new RecoveryReport(List.of(), List.of(), List.of(), false);

    private final List<Truncation> truncations;
    private final List<Path> rebuiltIndexes;
    private final List<Quarantine> quarantines;
    private final boolean checkpointMissing;

    public RecoveryReport(List<Truncation> truncations, List<Path> rebuiltIndexes, List<Quarantine> quarantines,
                          boolean checkpointMissing) {
        this.truncations = List.copyOf(truncations);
        this.rebuiltIndexes = List.copyOf(rebuiltIndexes);
        this.quarantines = List.copyOf(quarantines);
        this.checkpointMissing = checkpointMissing;
    }

    public static RecoveryReport clean() {
        return CLEAN;
    }

    public List<Truncation> truncations() {
        return truncations;
    }

    public List<Path> rebuiltIndexes() {
        return rebuiltIndexes;
    }

    public List<Quarantine> quarantines() {
        return quarantines;
    }

    /** True when no valid recovery point was found, so every segment was validated. */
    public boolean checkpointMissing() {
        return checkpointMissing;
    }

    /** Total bytes truncated. */
    public long truncatedBytes() {
        return truncations.stream().mapToLong(Truncation::bytes).sum();
    }

    /** True when nothing was truncated, rebuilt or quarantined. */
    public boolean isClean() {
        return truncations.isEmpty() && rebuiltIndexes.isEmpty() && quarantines.isEmpty();
    }

    /** This report followed by {@code other}. */
    public RecoveryReport merge(RecoveryReport other) {
        List<Truncation> t = new ArrayList<>(truncations);
        t.addAll(other.truncations);
        List<Path> r = new ArrayList<>(rebuiltIndexes);
        r.addAll(other.rebuiltIndexes);
        List<Quarantine> q = new ArrayList<>(quarantines);
        q.addAll(other.quarantines);
        return new RecoveryReport(t, r, q, checkpointMissing || other.checkpointMissing);
    }

    @Override
    public String toString() {
        return "RecoveryReport{truncations=" + truncations + ", rebuiltIndexes=" + rebuiltIndexes
                + ", quarantines=" + quarantines + ", checkpointMissing=" + checkpointMissing + "}";
    }
}
