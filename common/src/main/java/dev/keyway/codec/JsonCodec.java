package dev.keyway.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Excerpt;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.Task;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of every message. Thread-safe. Each message carries a {@code "type"} field
 * (camelCase of the record name: {@code run}, {@code processBatch}, {@code batchCompleted}, ..);
 * unknown fields are ignored so newer producers can add fields.
 */
public final class JsonCodec {

    private static final Map<String, Class<? extends Event>> EVENTS = Map.of(
            "batchCompleted", Event.BatchCompleted.class,
            "batchFailed", Event.BatchFailed.class,
            "batchSkipped", Event.BatchSkipped.class,
            "batchDelayed", Event.BatchDelayed.class,
            "runPlanned", Event.RunPlanned.class,
            "healthChanged", Event.HealthChanged.class,
            "commandAccepted", Event.CommandAccepted.class,
            "commandRejected", Event.CommandRejected.class);

    private static final java.util.regex.Pattern MIGRATION_NAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9_.:\\-]{1," + Command.MAX_NAME + "}");

    /**
     * The schema of the statuses this codec writes and reads. It changes only with a breaking change (see
     * docs/CONTRACTS.md, compatibility rules); a reader skips a status of another version instead of misreading it.
     */
    public static final int STATUS_SCHEMA_VERSION = 1;

    private final ObjectMapper mapper;

    public JsonCodec() {
        SimpleModule states = new SimpleModule("keyway-states");
        states.addSerializer(MigrationState.class, new JsonSerializer<>() {
            @Override
            public void serialize(MigrationState v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(v.json());
            }
        });
        states.addDeserializer(MigrationState.class, new JsonDeserializer<>() {
            @Override
            public MigrationState deserialize(JsonParser p, DeserializationContext c) throws IOException {
                return MigrationState.fromJson(p.getValueAsString());
            }
        });
        this.mapper = new ObjectMapper()
                .registerModule(states)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                // documents in dry-run reports: a NUMERIC value keeps every digit, as it does in cursors
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    // ---- commands: parsed by hand, they come from other services and people

    public byte[] encode(Command c) {
        ObjectNode n = mapper.createObjectNode();
        if (c instanceof Command.Run r) {
            n.put("type", "run").put("fn", r.fn());
            if (!r.next().isEmpty()) {
                r.next().forEach(n.putArray("next")::add);
            }
            if (r.startAt() != null) {
                n.put("cursor", r.startAt().cursor());
            }
            if (r.batchSize() != null) {
                n.put("batchSize", r.batchSize());
            }
            if (r.segments() != null) {
                n.put("segments", r.segments());
            }
            n.put("dryRun", r.dryRun());
            if (r.requestedBy() != null) {
                n.put("requestedBy", r.requestedBy());
            }
            if (r.limits() != null && r.limits().maxRowsPerSecond() != null) {
                n.put("maxRowsPerSecond", r.limits().maxRowsPerSecond());
            }
            if (r.limits() != null && r.limits().targetBatchMillis() != null) {
                n.put("targetBatchMillis", r.limits().targetBatchMillis());
            }
            if (r.limits() != null && r.limits().maxConcurrency() != null) {
                n.put("maxConcurrency", r.limits().maxConcurrency());
            }
        } else if (c instanceof Command.Cancel x) {
            n.put("type", "cancel").put("fn", x.fn());
        } else if (c instanceof Command.Pause x) {
            n.put("type", "pause").put("fn", x.fn());
        } else if (c instanceof Command.Resume x) {
            n.put("type", "resume").put("fn", x.fn());
        } else if (c instanceof Command.Configure x) {
            n.put("type", "configure").put("fn", x.fn());
            if (x.batchSize() != null) {
                n.put("batchSize", x.batchSize());
            }
            if (x.maxRowsPerSecond() != null) {
                n.put("maxRowsPerSecond", x.maxRowsPerSecond());
            }
            if (x.targetBatchMillis() != null) {
                n.put("targetBatchMillis", x.targetBatchMillis());
            }
            if (x.maxConcurrency() != null) {
                n.put("maxConcurrency", x.maxConcurrency());
            }
        } else {
            n.put("type", "cancelAll");
        }
        if (!(c instanceof Command.Run) && c.requestedBy() != null) {
            n.put("requestedBy", c.requestedBy());
        }
        return bytes(n);
    }

    /**
     * Parses a command; throws {@link MalformedMessageException} saying what is wrong and what is expected.
     * Every field's size is checked before it is used ({@link Command#MAX_BYTES} and the other limits), and
     * a message quotes at most a short, escaped excerpt of what was sent.
     */
    public Command decodeCommand(byte[] json) {
        if (json != null && json.length > Command.MAX_BYTES) {
            throw new MalformedMessageException("command of " + json.length + " bytes is larger than the limit of "
                    + Command.MAX_BYTES + " bytes; it starts with " + Excerpt.of(json, 80));
        }
        JsonNode n = tree(json, "command");
        String type = text(n, "type", true);
        return switch (type) {
            case "run" -> {
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
                        rate == null && target == null && concurrency == null ? null : limits(rate, target, concurrency));
            }
            case "cancel" -> new Command.Cancel(name(n, "fn"), requestedBy(n));
            case "pause" -> new Command.Pause(name(n, "fn"), requestedBy(n));
            case "resume" -> new Command.Resume(name(n, "fn"), requestedBy(n));
            case "configure" -> {
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
            case "cancelAll" -> new Command.CancelAll(requestedBy(n));
            default -> throw new MalformedMessageException("unknown command type '" + Excerpt.of(type, 40)
                    + "': expected run, cancel, cancelAll, pause, resume or configure");
        };
    }

    // ---- tasks, events and status: records mapped by Jackson, with a type field

    public byte[] encode(Task t) {
        return typed("processBatch", t);
    }

    public Task decodeTask(byte[] json) {
        return read(json, Task.ProcessBatch.class, "task");
    }

    public byte[] encode(Event e) {
        String type = EVENTS.entrySet().stream().filter(x -> x.getValue() == e.getClass())
                .findFirst().orElseThrow().getKey();
        return typed(type, e);
    }

    /**
     * Parses an event; one over {@link Event#MAX_BYTES} is malformed, unread: it could only be a stranger's, and
     * its text would go into a status that no longer fits in one Kafka record.
     */
    public Event decodeEvent(byte[] json) {
        if (json != null && json.length > Event.MAX_BYTES) {
            throw new MalformedMessageException("event of " + json.length + " bytes is larger than the limit of "
                    + Event.MAX_BYTES + " bytes; it starts with " + Excerpt.of(json, 80));
        }
        JsonNode n = tree(json, "event");
        String type = text(n, "type", true);
        Class<? extends Event> cls = EVENTS.get(type);
        if (cls == null) {
            throw new MalformedMessageException("unknown event type '" + Excerpt.of(type, 40) + "': expected one of "
                    + EVENTS.keySet());
        }
        return convert(n, cls, "event");
    }

    /** A status, with {@code "schemaVersion"} {@value #STATUS_SCHEMA_VERSION} as its last field. */
    public byte[] encode(MigrationStatus s) {
        return bytes(statusNode(s));
    }

    /**
     * Parses the status record under {@code key}; throws {@link MalformedMessageException} for one that is not a
     * status of this schema: garbage, another {@code schemaVersion} (absent means {@value #STATUS_SCHEMA_VERSION},
     * as written before the field existed), no name or state, or a name other than its key.
     */
    public MigrationStatus decodeStatus(String key, byte[] json) {
        MigrationStatus s = decodeStatus(json);
        if (!s.name().equals(key)) {
            throw new MalformedMessageException("the status of " + Excerpt.of(s.name(), 60) + " is under the key "
                    + Excerpt.of(key, 60) + ": a status is keyed by its name");
        }
        return s;
    }

    /** Parses a status; one without a name or state (garbage, another schema) is malformed. */
    public MigrationStatus decodeStatus(byte[] json) {
        JsonNode n = tree(json, "status");
        JsonNode version = n.get("schemaVersion");
        if (version != null && !(version.isInt() && version.intValue() == STATUS_SCHEMA_VERSION)) {
            throw new MalformedMessageException("a status of schemaVersion " + Excerpt.of(version.toString(), 20)
                    + ", but this reader knows " + STATUS_SCHEMA_VERSION + " (upgrade it): " + Excerpt.of(json, 200));
        }
        MigrationStatus s = convert(n, MigrationStatus.class, "status");
        if (s.name() == null || s.state() == null || s.segments().stream().anyMatch(java.util.Objects::isNull)) {
            throw new MalformedMessageException("a status needs a name, a state and whole segments, but this one has"
                    + " not (written by another program, or another schema version?): " + Excerpt.of(json, 200));
        }
        return s;
    }

    private ObjectNode statusNode(MigrationStatus s) {
        ObjectNode n = mapper.valueToTree(s);
        return n.put("schemaVersion", STATUS_SCHEMA_VERSION);
    }

    /** Pretty JSON of any message or node, for people; a status has the fields it has on the wire. */
    public String pretty(Object value) {
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(
                    value instanceof MigrationStatus s ? statusNode(s) : value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + value, e);
        }
    }

    private byte[] typed(String type, Object value) {
        ObjectNode n = mapper.createObjectNode().put("type", type);
        n.setAll((ObjectNode) mapper.valueToTree(value));
        return bytes(n);
    }

    private <T> T read(byte[] json, Class<T> cls, String what) {
        return convert(tree(json, what), cls, what);
    }

    private <T> T convert(JsonNode n, Class<T> cls, String what) {
        try {
            return mapper.treeToValue(n, cls);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new MalformedMessageException("malformed " + what + " " + Excerpt.of(n.toString(), 200) + ": "
                    + Excerpt.of(e.getMessage(), 300), e);
        }
    }

    private JsonNode tree(byte[] json, String what) {
        if (json == null) {
            throw new MalformedMessageException("empty " + what + ": expected a JSON object");
        }
        try {
            JsonNode n = mapper.readTree(json);
            if (n == null || !n.isObject()) {
                throw new MalformedMessageException(what + " must be a JSON object, but was: " + Excerpt.of(json, 120));
            }
            return n;
        } catch (IOException e) {
            throw new MalformedMessageException(what + " is not valid JSON ("
                    + Excerpt.of(String.valueOf(e.getMessage()).lines().findFirst().orElse(""), 120) + "): "
                    + Excerpt.of(json, 120), e);
        }
    }

    private byte[] bytes(JsonNode n) {
        try {
            return mapper.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + n, e);
        }
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
        String by = text(n, "requestedBy", false);
        if (by != null && (by.length() > Command.MAX_REQUESTED_BY || !Excerpt.of(by, by.length()).equals(by))) {
            throw new MalformedMessageException("command field 'requestedBy' must be at most "
                    + Command.MAX_REQUESTED_BY + " printable characters, but was " + Excerpt.of(by, 60));
        }
        return by;
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
