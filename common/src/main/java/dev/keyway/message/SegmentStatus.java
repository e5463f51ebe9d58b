package dev.keyway.message;

/**
 * One segment of a run: a slice of the key range with its own cursor chain.
 *
 * @param from the segment's start, exclusive ({@code null} = the start of the range)
 * @param to the segment's end, inclusive ({@code null} = the end of the range)
 * @param cursor where the next batch of this segment starts (exclusive); {@code null} = at {@code from}
 */
public record SegmentStatus(int index, String from, String to, String cursor, long processed, boolean done) {

    public SegmentStatus advancedTo(String nextCursor, int batchProcessed, boolean segmentDone) {
        return new SegmentStatus(index, from, to, nextCursor, processed + batchProcessed, segmentDone);
    }

    /** Where this segment's next batch starts: its cursor, or its start when none. */
    public String position() {
        return cursor != null ? cursor : from;
    }
}
