package dev.keyway.store;

import java.util.List;

/**
 * A page of a run's before-images ({@link RowImage}) in the order of their ids.
 *
 * @param images at most the page's limit
 * @param nextCursor where the next page starts: the last image's id, or the cursor asked for when the page is empty
 * @param last whether no image follows in the range asked for
 */
public record ImagePage(List<RowImage> images, String nextCursor, boolean last) {

    public ImagePage {
        images = List.copyOf(images);
    }
}
