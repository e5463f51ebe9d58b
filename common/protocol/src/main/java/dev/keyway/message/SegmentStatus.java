package dev.keyway.message;

/**
 * One segment of a run: a slice of the key range with its own cursor chain.
 *
 * @param from the segment's start, exclusive ({@code null} = the start of the range)
 * @param to the segment's end, inclusive ({@code null} = the end of the range)
 * @param cursor where the next batch of this segment starts (exclusive); {@code null} = at {@code from}
 * @param delayedBy why the segment's latest batch had to be run again (a lock the application held past
 *     the lock timeout), until a batch of the segment completes; else null
 */
public record SegmentStatus(int index, String from, String to, String cursor, long processed, boolean done,
                            String delayedBy) {

    /** A segment of a new run: nothing processed yet. */
    public static SegmentStatus fresh(int index, String from, String to) {
        return new SegmentStatus(index, from, to, null, 0, false, null);
    }

    public SegmentStatus advancedTo(String nextCursor, int batchProcessed, boolean segmentDone) {
        return new SegmentStatus(index, from, to, nextCursor, processed + batchProcessed, segmentDone, null);
    }

    public SegmentStatus delayedBy(String reason) {
        return new SegmentStatus(index, from, to, cursor, processed, done, reason);
    }

    /** Where this segment's next batch starts: its cursor, or its start when none. */
    public String position() {
        return cursor != null ? cursor : from;
    }
}
