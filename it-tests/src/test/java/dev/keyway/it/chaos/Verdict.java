package dev.keyway.it.chaos;

import java.util.ArrayList;
import java.util.List;

/**
 * What a chaos run found: problems fail the seed (a row migrated the wrong number of times, a wrong count, a lost
 * write, a wedge); warnings do not (a service that ended by itself, its slot filled again). Not thread-safe.
 */
final class Verdict {

    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final StringBuilder details = new StringBuilder();

    void problems(List<String> found) {
        problems.addAll(found);
    }

    void warnings(List<String> found) {
        warnings.addAll(found);
    }

    /** Adds a line to the details under the verdict (counts, the bookkeeping of a failure). */
    void detail(String text) {
        details.append(text).append('\n');
    }

    boolean clean() {
        return problems.isEmpty();
    }

    /** The verdict's first line, then its problems, warnings and details. */
    String describe(String seed) {
        StringBuilder out = new StringBuilder("CHAOS seed " + seed);
        if (problems.isEmpty()) {
            out.append(": clean").append(warnings.isEmpty() ? "" : " (" + warnings.size() + " warning(s))");
        } else {
            out.append(" FAILED:\n  - ").append(String.join("\n  - ", problems));
        }
        if (!warnings.isEmpty()) {
            out.append("\nwarnings:\n  - ").append(String.join("\n  - ", warnings));
        }
        return out.append('\n').append(details).toString();
    }
}
