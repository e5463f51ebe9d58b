package dev.keyway.store;

/**
 * What the fence allows for one segment of a migration, as the coordinator last wrote it and the
 * batches since advanced it: only a batch of {@code runId}, starting at {@code position}, of
 * {@code batchSize} rows, up to {@code end}, while the segment is {@code open}, may be applied.
 *
 * @param position where the segment's next batch starts ({@code null} = the start of the range)
 * @param end the segment's last key, inclusive ({@code null} = the end of the range)
 * @param state open (batches may apply), closed (canceled: none may), done (the segment is complete)
 */
public record SegmentFence(String runId, String position, String end, int batchSize, State state) {

    public enum State {
        OPEN, CLOSED, DONE;

        public String sql() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static State fromSql(String s) {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
