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
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.Task;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
            "commandAccepted", Event.CommandAccepted.class,
            "commandRejected", Event.CommandRejected.class);

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
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    /** The shared mapper's node factory, for building documents. */
    public ObjectNode newObject() {
        return mapper.createObjectNode();
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
        } else if (c instanceof Command.Cancel x) {
            n.put("type", "cancel").put("fn", x.fn());
        } else {
            n.put("type", "cancelAll");
        }
        return bytes(n);
    }

    /** Parses a command; throws {@link MalformedMessageException} saying what is wrong and what is expected. */
    public Command decodeCommand(byte[] json) {
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
                    startAt = new Command.StartAt(cur.isNull() ? null : cur.asText());
                }
                yield new Command.Run(text(n, "fn", true), stringList(n, "next"), startAt,
                        intOrNull(n, "batchSize"), bool(n, "dryRun"), intOrNull(n, "segments"),
                        text(n, "requestedBy", false));
            }
            case "cancel" -> new Command.Cancel(text(n, "fn", true));
            case "cancelAll" -> new Command.CancelAll();
            default -> throw new MalformedMessageException("unknown command type '" + type
                    + "': expected run, cancel or cancelAll");
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

    public Event decodeEvent(byte[] json) {
        JsonNode n = tree(json, "event");
        String type = text(n, "type", true);
        Class<? extends Event> cls = EVENTS.get(type);
        if (cls == null) {
            throw new MalformedMessageException("unknown event type '" + type + "': expected one of " + EVENTS.keySet());
        }
        return convert(n, cls, "event");
    }

    public byte[] encode(MigrationStatus s) {
        return bytes(mapper.valueToTree(s));
    }

    public MigrationStatus decodeStatus(byte[] json) {
        return read(json, MigrationStatus.class, "status");
    }

    /** Pretty JSON of any message or node, for people. */
    public String pretty(Object value) {
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + value, e);
        }
    }

    /** Compact JSON text of a node. */
    public String compact(Object value) {
        return new String(bytes(mapper.valueToTree(value)), StandardCharsets.UTF_8);
    }

    /** Parses JSON text into a node, for documents stored as text. */
    public JsonNode parse(String json) {
        return tree(json.getBytes(StandardCharsets.UTF_8), "document");
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
            throw new MalformedMessageException("malformed " + what + " " + n + ": " + e.getMessage(), e);
        }
    }

    private JsonNode tree(byte[] json, String what) {
        if (json == null) {
            throw new MalformedMessageException("empty " + what + ": expected a JSON object");
        }
        try {
            JsonNode n = mapper.readTree(json);
            if (n == null || !n.isObject()) {
                throw new MalformedMessageException(what + " must be a JSON object, but was: "
                        + new String(json, StandardCharsets.UTF_8));
            }
            return n;
        } catch (IOException e) {
            throw new MalformedMessageException(what + " is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + "): "
                    + new String(json, StandardCharsets.UTF_8), e);
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
                throw new MalformedMessageException("command is missing the field '" + field + "': " + n);
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new MalformedMessageException("command field '" + field + "' must be a string, but was " + v);
        }
        return v.asText();
    }

    private static Integer intOrNull(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new MalformedMessageException("command field '" + field + "' must be an integer, but was " + v);
        }
        return v.intValue();
    }

    private static boolean bool(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new MalformedMessageException("command field '" + field + "' must be true or false, but was " + v);
        }
        return v.booleanValue();
    }

    private static List<String> stringList(JsonNode n, String field) {
        JsonNode v = n.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw new MalformedMessageException("command field '" + field + "' must be an array of names, but was " + v);
        }
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw new MalformedMessageException("command field '" + field + "' must hold names, but held " + e);
            }
            out.add(e.asText());
        }
        return out;
    }
}
