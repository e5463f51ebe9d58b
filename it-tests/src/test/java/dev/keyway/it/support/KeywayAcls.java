package dev.keyway.it.support;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka ACLs each Keyway component needs on the topics of one {@code TOPIC_PREFIX}, exactly as the table of
 * docs/OPERATIONS.md lists them (change both together): {@code SecuredKafkaIT} grants these and nothing else.
 */
public final class KeywayAcls {

    private KeywayAcls() {
    }

    /**
     * The coordinator: creates the five topics, consumes commands and events in its group, and writes events,
     * statuses, tasks and history entries in transactions.
     */
    public static List<AclBinding> coordinator(String prefix, String principal) {
        List<AclBinding> acls = new ArrayList<>();
        acls.add(allow(principal, ResourceType.TOPIC, prefix, PatternType.PREFIXED, AclOperation.CREATE));
        acls.add(allow(principal, ResourceType.TOPIC, prefix + "commands", PatternType.LITERAL, AclOperation.READ));
        acls.add(allow(principal, ResourceType.TOPIC, prefix + "events", PatternType.LITERAL, AclOperation.READ));
        acls.add(allow(principal, ResourceType.TOPIC, prefix + "events", PatternType.LITERAL, AclOperation.WRITE));
        acls.add(allow(principal, ResourceType.TOPIC, prefix + "status", PatternType.LITERAL, AclOperation.READ));
        acls.add(allow(principal, ResourceType.TOPIC, prefix + "status", PatternType.LITERAL, AclOperation.WRITE));
        acls.add(allow(principal, ResourceType.TOPIC, prefix + "tasks", PatternType.LITERAL, AclOperation.WRITE));
        acls.add(allow(principal, ResourceType.TOPIC, prefix + "history", PatternType.LITERAL, AclOperation.WRITE));
        acls.add(allow(principal, ResourceType.GROUP, prefix + "coordinator", PatternType.LITERAL, AclOperation.READ));
        // only with METRICS_PORT: the workers' lag (docs/OPERATIONS.md)
        acls.add(allow(principal, ResourceType.GROUP, prefix + "workers", PatternType.LITERAL, AclOperation.DESCRIBE));
        acls.add(allow(principal, ResourceType.TRANSACTIONAL_ID, prefix + "coordinator-", PatternType.PREFIXED,
                AclOperation.WRITE));
        return acls;
    }

    /** A worker: consumes tasks in the workers' group and writes their outcomes to events in transactions. */
    public static List<AclBinding> worker(String prefix, String principal) {
        List<AclBinding> acls = new ArrayList<>();
        // it checks at start that the four topics exist
        acls.add(allow(principal, ResourceType.TOPIC, prefix, PatternType.PREFIXED, AclOperation.DESCRIBE));
        acls.add(allow(principal, ResourceType.TOPIC, prefix + "tasks", PatternType.LITERAL, AclOperation.READ));
        acls.add(allow(principal, ResourceType.TOPIC, prefix + "events", PatternType.LITERAL, AclOperation.WRITE));
        acls.add(allow(principal, ResourceType.GROUP, prefix + "workers", PatternType.LITERAL, AclOperation.READ));
        acls.add(allow(principal, ResourceType.TRANSACTIONAL_ID, prefix + "workers-", PatternType.PREFIXED,
                AclOperation.WRITE));
        return acls;
    }

    /**
     * An operator (bin/migrate run, cancel, pause, resume, configure, retry, history): writes commands, reads the
     * answers on the events topic, the statuses and the history.
     */
    public static List<AclBinding> operator(String prefix, String principal) {
        List<AclBinding> acls = new ArrayList<>();
        acls.add(allow(principal, ResourceType.TOPIC, prefix + "commands", PatternType.LITERAL, AclOperation.WRITE));
        acls.add(allow(principal, ResourceType.TOPIC, prefix + "events", PatternType.LITERAL, AclOperation.READ));
        acls.add(allow(principal, ResourceType.TOPIC, prefix + "history", PatternType.LITERAL, AclOperation.READ));
        acls.addAll(statusReader(prefix, principal));
        return acls;
    }

    /** Who only watches (bin/migrate status): reads the statuses. */
    public static List<AclBinding> statusReader(String prefix, String principal) {
        return List.of(allow(principal, ResourceType.TOPIC, prefix + "status", PatternType.LITERAL, AclOperation.READ));
    }

    private static AclBinding allow(String principal, ResourceType type, String name, PatternType pattern,
                                    AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }
}
