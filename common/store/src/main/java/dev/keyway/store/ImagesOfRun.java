package dev.keyway.store;

/**
 * The before-images one run of a migration keeps ({@code keyway_images}), for listing and purging.
 *
 * @param rows how many rows the run changed (one image each)
 * @param beforeBytes the size of their before-images' JSON in bytes (UTF-8); the table's rows and index take more on
 *     disk (docs/BENCHMARKS.md, "Before-images (undo)", gives the measured bytes per row)
 * @param firstAt when the first of them was recorded (epoch millis, the database's clock)
 * @param lastAt when the last of them was recorded
 */
public record ImagesOfRun(String runId, long rows, long beforeBytes, long firstAt, long lastAt) {
}
