package dev.keyway.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.Command;
import dev.keyway.message.Excerpt;
import dev.keyway.message.Limits;
import dev.keyway.message.QuarantineLimit;
import dev.keyway.message.RunKind;
import dev.keyway.message.UndoOf;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The JSON form of commands ({@link JsonCodec#encode(Command)}, {@link JsonCodec#decodeCommand}), written and parsed
 * by hand: commands come from other services and people, so every field is checked for its type and size before it
 * is used, and a {@link MalformedMessageException} says which field is wrong and what it must be, quoting at most a
 * short, escaped excerpt of what was sent.
 */
final class CommandJson {

    private static final Pattern MIGRATION_NAME = Pattern.compile("[A-Za-z0-9_.:\\-]{1," + Command.MAX_NAME + "}");

    private CommandJson() {
    }

    /** Writes the command's fields into {@code n}, an empty object; a field left unset is left out. */
    static ObjectNode write(Command c, ObjectNode n) {
        if (c instanceof Command.Run r) {
            n.put("type", Command.Run.TYPE).put("fn", r.fn());
            if (!r.next().isEmpty()) {
                r.next().forEach(n.putArray("next")::add);
            }
            if (r.startAt() != null) {
                n.put("cursor", r.startAt().cursor());
            }
            putIfSet(n, "batchSize", r.batchSize());
            putIfSet(n, "segments", r.segments());
            n.put("dryRun", r.dryRun());
            Limits l = r.limits() == null ? Limits.none() : r.limits();
            putIfSet(n, "maxRowsPerSecond", l.maxRowsPerSecond());
            putIfSet(n, "targetBatchMillis", l.targetBatchMillis());
            putIfSet(n, "maxConcurrency", l.maxConcurrency());
            if (!r.notifyTargets().isEmpty()) {
                r.notifyTargets().forEach(n.putArray("notify")::add);
            }
            if (r.maxQuarantined() != null && r.maxQuarantined().count() != null) {
                n.put("maxQuarantined", r.maxQuarantined().count());
            } else if (r.maxQuarantined() != null) {
                n.put("maxQuarantined", r.maxQuarantined().toString());
            }
            if (r.onlyQuarantined()) {
                n.put("onlyQuarantined", true);
            }
            if (r.kind() != RunKind.MIGRATE) {
                n.put("kind", r.kind().json());
            }
            if (r.undoOf() != null) {
                n.putObject("undo").put("runId", r.undoOf().runId()).put("force", r.undoOf().force());
            }
            if (r.keepImages()) {
                n.put("keepImages", true);
            }
        } else if (c instanceof Command.Cancel x) {
            n.put("type", Command.Cancel.TYPE).put("fn", x.fn());
        } else if (c instanceof Command.Pause x) {
            n.put("type", Command.Pause.TYPE).put("fn", x.fn());
        } else if (c instanceof Command.Resume x) {
            n.put("type", Command.Resume.TYPE).put("fn", x.fn());
        } else if (c instanceof Command.Configure x) {
            n.put("type", Command.Configure.TYPE).put("fn", x.fn());
            putIfSet(n, "batchSize", x.batchSize());
            putIfSet(n, "maxRowsPerSecond", x.maxRowsPerSecond());
            putIfSet(n, "targetBatchMillis", x.targetBatchMillis());
            putIfSet(n, "maxConcurrency", x.maxConcurrency());
        } else if (c instanceof Command.ListMigrations x) {
            n.put("type", Command.ListMigrations.TYPE);
            if (x.requestId() != null) {
                n.put("requestId", x.requestId());
            }
        } else {
            n.put("type", Command.CancelAll.TYPE);
        }
        if (c.requestedBy() != null) {
            n.put("requestedBy", c.requestedBy());
        }
        return n;
    }

    private static void putIfSet(ObjectNode n, String field, Integer value) {
        if (value != null) {
            n.put(field, value);
        }
    }

    /** A run's {@code "kind"}: absent or null = migrate. */
    private static RunKind kind(JsonNode n) {
        JsonNode k = n.get("kind");
        if (k == null || k.isNull()) {
            return RunKind.MIGRATE;
        }
        if (!k.isTextual()) {
            throw new MalformedMessageException("command field 'kind' must be a string (migrate, verify or fix), but was "
                    + Excerpt.of(k.toString(), 40));
        }
        try {
            return RunKind.fromJson(k.textValue());
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("command field 'kind': " + e.getMessage());
        }
    }

    /** A run's {@code "undo"}: {@code {"runId": "…", "force": false}}, or null when absent. */
    private static UndoOf undo(JsonNode n) {
        JsonNode u = n.get("undo");
        if (u == null || u.isNull()) {
            return null;
        }
        JsonNode run = u.isObject() ? u.get("runId") : null;
        if (run == null || !run.isTextual()) {
            throw new MalformedMessageException("command field 'undo' must be an object {\"runId\": \"<the run to"
                    + " undo>\", \"force\": false}, but was " + Excerpt.of(u.toString(), 80));
        }
        try {
            return new UndoOf(run.textValue(), bool(u, "force"));
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("command field 'undo': " + e.getMessage());
        }
    }

    /** The command a JSON object holds. */
    static Command read(JsonNode n) {
        String type = text(n, "type", true);
        return switch (type) {
            case Command.Run.TYPE -> {
                Command.StartAt startAt = null;
                if (n.has("cursor")) {
                    JsonNode cur = n.get("cursor");
                    if (!cur.isNull() && !cur.isTextual()) {
                        throw new MalformedMessageException("command field 'cursor' must be a string or null, but was "
                                + cur + " (absent = resume, null = start over)");
                    }
                    if (cur.isTextual() && cur.textValue().length() > Command.MAX_CURSOR) {
                        throw new MalformedMessageException("command field 'cursor' must be at most " + Command.MAX_CURSOR
                                + " characters, but was " + Excerpt.of(cur.textValue(), 60));
                    }
                    startAt = new Command.StartAt(cur.isNull() ? null : cur.asText());
                }
                String by = requestedBy(n);
                Integer rate = intOrNull(n, "maxRowsPerSecond");
                Integer target = intOrNull(n, "targetBatchMillis");
                Integer concurrency = intOrNull(n, "maxConcurrency");
                yield new Command.Run(name(n, "fn"), names(n, "next"), startAt,
                        intOrNull(n, "batchSize"), bool(n, "dryRun"), intOrNull(n, "segments"), by,
                        rate == null && target == null && concurrency == null ? null : limits(rate, target, concurrency),
                        names(n, "notify"), maxQuarantined(n), bool(n, "onlyQuarantined"), kind(n), undo(n),
                        bool(n, "keepImages"));
            }
            case Command.Cancel.TYPE -> new Command.Cancel(name(n, "fn"), requestedBy(n));
            case Command.Pause.TYPE -> new Command.Pause(name(n, "fn"), requestedBy(n));
            case Command.Resume.TYPE -> new Command.Resume(name(n, "fn"), requestedBy(n));
            case Command.Configure.TYPE -> {
                Integer size = intOrNull(n, "batchSize");
                Integer rate = intOrNull(n, "maxRowsPerSecond");
                Integer target = intOrNull(n, "targetBatchMillis");
                Integer concurrency = intOrNull(n, "maxConcurrency");
                if (size == null && rate == null && target == null && concurrency == null) {
                    throw new MalformedMessageException("command 'configure' needs 'batchSize', 'maxRowsPerSecond',"
                            + " 'targetBatchMillis' or 'maxConcurrency' (the limits it changes)");
                }
                limits(rate == null || rate == 0 ? null : rate, target == null || target == 0 ? null : target,
                        concurrency == null || concurrency == 0 ? null : concurrency);
                yield new Command.Configure(name(n, "fn"), size, rate, target, concurrency, requestedBy(n));
            }
            case Command.CancelAll.TYPE -> new Command.CancelAll(requestedBy(n));
            case Command.ListMigrations.TYPE -> new Command.ListMigrations(printable(n, "requestId", Command.MAX_REQUEST_ID),
                    requestedBy(n));
            default -> throw new MalformedMessageException("unknown command type '" + Excerpt.of(type, 40)
                    + "': expected run, cancel, cancelAll, pause, resume, configure or list");
        };
    }

    private static String text(JsonNode n, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new MalformedMessageException("command is missing the field '" + field + "': "
                        + Excerpt.of(n.toString(), 200));
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new MalformedMessageException("command field '" + field + "' must be a string, but was "
                    + Excerpt.of(v.toString(), 60));
        }
        return v.asText();
    }

    /** A count (an integer, 0 = off) or a percentage of the run's rows (a string, {@code "0.1%"}). */
    private static QuarantineLimit maxQuarantined(JsonNode n) {
        JsonNode v = n.get("maxQuarantined");
        try {
            if (v != null && v.isTextual()) {
                if (!v.textValue().trim().endsWith("%")) {
                    throw new IllegalArgumentException("a string is a percentage, ending in %");
                }
                return QuarantineLimit.parse(v.textValue());
            }
            Integer max = intOrNull(n, "maxQuarantined");
            return max == null ? null : QuarantineLimit.count(max);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("command field 'maxQuarantined' must be a count of at least 0 (0 turns"
                    + " quarantine off) or a percentage of the run's rows (\"0.1%\"), but was "
                    + Excerpt.of(v.toString(), 40) + ": " + e.getMessage());
        }
    }

    private static Integer intOrNull(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new MalformedMessageException("command field '" + field + "' must be an integer, but was "
                    + Excerpt.of(v.toString(), 60));
        }
        return v.intValue();
    }

    private static boolean bool(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new MalformedMessageException("command field '" + field + "' must be true or false, but was "
                    + Excerpt.of(v.toString(), 60));
        }
        return v.booleanValue();
    }

    private static String requestedBy(JsonNode n) {
        return printable(n, "requestedBy", Command.MAX_REQUESTED_BY);
    }

    /** An optional text field of at most {@code max} printable characters. */
    private static String printable(JsonNode n, String field, int max) {
        String v = text(n, field, false);
        if (v != null && (v.length() > max || !Excerpt.of(v, v.length()).equals(v))) {
            throw new MalformedMessageException("command field '" + field + "' must be at most " + max
                    + " printable characters, but was " + Excerpt.of(v, 60));
        }
        return v;
    }

    private static Limits limits(Integer maxRowsPerSecond, Integer targetBatchMillis, Integer maxConcurrency) {
        try {
            return new Limits(maxRowsPerSecond, targetBatchMillis, maxConcurrency);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("command field " + e.getMessage());
        }
    }

    private static String name(JsonNode n, String field) {
        String v = text(n, field, true);
        checkName(field, v);
        return v;
    }

    private static void checkName(String field, String v) {
        if (!MIGRATION_NAME.matcher(v).matches()) {
            throw new MalformedMessageException("command field '" + field + "' must be a migration name: 1-"
                    + Command.MAX_NAME + " letters, digits or _ - . :, but was '" + Excerpt.of(v, 60) + "'");
        }
    }

    private static List<String> names(JsonNode n, String field) {
        JsonNode v = n.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw new MalformedMessageException("command field '" + field + "' must be an array of names, but was "
                    + Excerpt.of(v.toString(), 60));
        }
        if (v.size() > Command.MAX_NEXT) {
            throw new MalformedMessageException("command field '" + field + "' may name at most " + Command.MAX_NEXT
                    + " migrations, but named " + v.size());
        }
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw new MalformedMessageException("command field '" + field + "' must hold names, but held "
                        + Excerpt.of(e.toString(), 60));
            }
            checkName(field, e.asText());
            out.add(e.asText());
        }
        return out;
    }
}
