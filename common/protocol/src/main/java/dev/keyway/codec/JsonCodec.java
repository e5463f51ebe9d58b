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
import dev.keyway.message.BatchKey;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Excerpt;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.MigrationState;
import dev.keyway.message.RunKind;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.Task;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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
            "commandRejected", Event.CommandRejected.class,
            "migrationsListed", Event.MigrationsListed.class);

    private static final String HISTORY_ENTRY = "historyEntry";

    /** The fields of a {@link BatchKey} in tasks and outcomes on the wire: at their top level, in this order. */
    private static final List<String> BATCH_KEY = List.of("migration", "runId", "segment", "cursor");

    /**
     * The schema of the statuses this codec writes and reads. It changes only with a breaking change (see
     * docs/CONTRACTS.md, compatibility rules); a reader skips a status of another version instead of misreading it.
     */
    public static final int STATUS_SCHEMA_VERSION = 1;

    private final ObjectMapper mapper;

    public JsonCodec() {
        SimpleModule states = new SimpleModule("keyway-states");
        byName(states, MigrationState.class, MigrationState::json, MigrationState::fromJson);
        byName(states, RunKind.class, RunKind::json, RunKind::fromJson);
        this.mapper = new ObjectMapper()
                .registerModule(states)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                // documents in dry-run reports: a NUMERIC value keeps every digit, as it does in cursors
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    /** Writes and reads an enum as its JSON name ({@code "inProgress"}, {@code "verify"}), not as its Java one. */
    private static <E extends Enum<E>> void byName(SimpleModule module, Class<E> type, Function<E, String> name,
                                                   Function<String, E> named) {
        module.addSerializer(type, new JsonSerializer<>() {
            @Override
            public void serialize(E v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(name.apply(v));
            }
        });
        module.addDeserializer(type, new JsonDeserializer<>() {
            @Override
            public E deserialize(JsonParser p, DeserializationContext c) throws IOException {
                return named.apply(p.getValueAsString());
            }
        });
    }

    // ---- commands: written and parsed by hand (CommandJson), they come from other services and people

    public byte[] encode(Command c) {
        return bytes(CommandJson.write(c, mapper.createObjectNode()));
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
        return CommandJson.read(tree(json, "command"));
    }

    // ---- tasks, events and status: records mapped by Jackson, with a type field

    public byte[] encode(Task t) {
        return typed("processBatch", t);
    }

    public Task decodeTask(byte[] json) {
        return convert(tree(json, "task"), Task.ProcessBatch.class, "task");
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
        JsonNode n = tree(bounded(json, "event"), "event");
        JsonNode type = n.get("type");
        Class<? extends Event> cls = type != null && type.isTextual() ? EVENTS.get(type.textValue()) : null;
        if (cls == null) {
            String what = type == null || !type.isTextual() ? "an event needs a string field 'type'"
                    : "unknown event type '" + Excerpt.of(type.textValue(), 40) + "'";
            throw new MalformedMessageException(what + ": expected one of " + EVENTS.keySet());
        }
        return convert(n, cls, "event");
    }

    /** A history entry: {@code "type":"historyEntry"}, then its fields in the order of docs/CONTRACTS.md, section 6. */
    public byte[] encode(HistoryEntry h) {
        return typed(HISTORY_ENTRY, h);
    }

    /**
     * The body of a notification (docs/OPERATIONS.md, "Notifications"): {@code "text"} for Slack and chat tools that
     * read it, {@code "event"} (the entry's kind), then the entry's fields as on the history topic.
     */
    public byte[] encodeNotification(String text, HistoryEntry h) {
        ObjectNode n = mapper.createObjectNode().put("text", text).put("event", h.kind());
        n.setAll(node(h));
        return bytes(n);
    }

    /**
     * Parses a history entry; throws {@link MalformedMessageException} for a record that is not one (garbage, another
     * type, no kind or migration, over {@link Event#MAX_BYTES}): anyone who may write the topic may write anything,
     * and a reader skips such a record with a warning. A kind this version does not know is read as it is.
     */
    public HistoryEntry decodeHistory(byte[] json) {
        JsonNode n = tree(bounded(json, "history entry"), "history entry");
        JsonNode type = n.get("type");
        JsonNode kind = n.get("kind");
        JsonNode migration = n.get("migration");
        if (type == null || !HISTORY_ENTRY.equals(type.asText()) || kind == null || !kind.isTextual()
                || migration == null || !migration.isTextual()) {
            throw new MalformedMessageException("a history entry needs \"type\":\"" + HISTORY_ENTRY + "\", a kind and a"
                    + " migration, but this record has not (written by another program?): " + Excerpt.of(json, 200));
        }
        return convert(n, HistoryEntry.class, "history entry");
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
        StatusJson s = convert(n, StatusJson.class, "status");
        if (s.name() == null || s.state() == null || holes(s.segments()) || holes(s.next())
                || holes(s.notifyTargets()) || holes(s.verifySample())) {
            throw new MalformedMessageException("a status needs a name, a state and whole segments, but this one has"
                    + " not (written by another program, or another schema version?): " + Excerpt.of(json, 200));
        }
        return s.status();
    }

    private static boolean holes(List<?> values) {
        return values != null && values.stream().anyMatch(java.util.Objects::isNull);
    }

    /** A status's fields, flattened from its groups in the order of the wire ({@link StatusJson}). */
    private ObjectNode statusNode(MigrationStatus s) {
        ObjectNode n = mapper.valueToTree(StatusJson.of(s));
        return n.put("schemaVersion", STATUS_SCHEMA_VERSION);
    }

    /**
     * Pretty JSON of any message or node, for people; a message has the fields it has on the wire, and so has each
     * status of a collection (without {@code schemaVersion}).
     */
    public String pretty(Object value) {
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(
                    value instanceof MigrationStatus s ? statusNode(s)
                            : value instanceof Collection<?> c ? c.stream().map(this::wire).toList() : wire(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + value, e);
        }
    }

    /** What Jackson writes for a value: a task, event or status in its wire form, anything else as it is. */
    private Object wire(Object value) {
        return value instanceof MigrationStatus s ? StatusJson.of(s)
                : value instanceof Task || value instanceof Event || value instanceof HistoryEntry ? node(value) : value;
    }

    private byte[] typed(String type, Object value) {
        ObjectNode n = mapper.createObjectNode().put("type", type);
        n.setAll(node(value));
        return bytes(n);
    }

    /**
     * A task or an event as its fields are on the wire: the {@link BatchKey} of a task or an outcome is flattened,
     * its fields ({@link #BATCH_KEY}) where the key is, at the top level.
     */
    private ObjectNode node(Object value) {
        ObjectNode n = mapper.valueToTree(value);
        if (!(value instanceof Task || value instanceof Event.Outcome)) {
            return n;
        }
        ObjectNode flat = mapper.createObjectNode();
        n.properties().forEach(f -> {
            if (f.getKey().equals("key")) {
                flat.setAll((ObjectNode) f.getValue());
            } else {
                flat.set(f.getKey(), f.getValue());
            }
        });
        return flat;
    }

    /** A task's or an outcome's wire fields with the {@link BatchKey}'s gathered into {@code "key"}, as records have it. */
    private ObjectNode nestBatchKey(JsonNode wire) {
        ObjectNode n = ((ObjectNode) wire).deepCopy();
        ObjectNode key = mapper.createObjectNode();
        for (String field : BATCH_KEY) {
            JsonNode v = n.remove(field);
            if (v != null) {
                key.set(field, v);
            }
        }
        n.set("key", key);
        return n;
    }

    private <T> T convert(JsonNode n, Class<T> cls, String what) {
        try {
            boolean keyed = Task.class.isAssignableFrom(cls) || Event.Outcome.class.isAssignableFrom(cls);
            return mapper.treeToValue(keyed ? nestBatchKey(n) : n, cls);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new MalformedMessageException("malformed " + what + " " + Excerpt.of(n.toString(), 200) + ": "
                    + Excerpt.of(e.getMessage(), 300), e);
        }
    }

    /** The record, if it is at most {@link Event#MAX_BYTES}; a larger one is malformed, unread. */
    private static byte[] bounded(byte[] json, String what) {
        if (json != null && json.length > Event.MAX_BYTES) {
            throw new MalformedMessageException(what + " of " + json.length + " bytes is larger than the limit of "
                    + Event.MAX_BYTES + " bytes; it starts with " + Excerpt.of(json, 80));
        }
        return json;
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

}
