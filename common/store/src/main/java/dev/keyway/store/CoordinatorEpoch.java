package dev.keyway.store;

import java.util.Objects;

/**
 * The turn of the coordinator that holds a coordinator group's input partitions: each one that takes over takes the
 * next epoch in the database ({@link Store#takeOver}), and writes fences only while the epoch is still its own
 * ({@link Store#writeFence(RunFence, CoordinatorEpoch)}). A coordinator that froze and woke after another took over
 * may still be in the middle of handling a record: its Kafka transaction cannot commit, but a fence it wrote to the
 * database would stay; its epoch keeps it from writing one.
 *
 * @param group the coordinator group ({@code <prefix>coordinator}): groups of several prefixes may share a database
 * @param epoch 1 for the first coordinator of the group, one more for each that took over since
 */
public record CoordinatorEpoch(String group, long epoch) {

    public CoordinatorEpoch {
        Objects.requireNonNull(group, "group");
    }
}
