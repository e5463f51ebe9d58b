package dev.keyway.store.internal;

import java.util.List;

/**
 * The replicas the configuration names ({@code StoreOptions.replicaUrls}, {@code REPLICA_JDBC_URLS}), for a dialect
 * whose primary does not know how far they have applied ({@link Dialect#replicaLag}); connected to as the store's user
 * unless a URL names its own.
 */
record ReplicaServers(List<String> urls, String user, String password) {

    ReplicaServers {
        urls = List.copyOf(urls);
    }
}
