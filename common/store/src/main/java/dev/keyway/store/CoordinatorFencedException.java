package dev.keyway.store;

/**
 * A coordinator tried to write a fence after another coordinator of its group took over: its epoch is no longer the
 * group's ({@link CoordinatorEpoch}). Nothing was written. The coordinator must stop handling records and start over
 * from what was committed (its Kafka session restarts; if it is assigned the partitions again, it takes over anew).
 */
public class CoordinatorFencedException extends StoreException {

    public CoordinatorFencedException(String message) {
        super(message, null);
    }
}
