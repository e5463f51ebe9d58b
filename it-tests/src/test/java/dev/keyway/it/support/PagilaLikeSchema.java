package dev.keyway.it.support;

import java.sql.SQLException;

/**
 * A schema in the style of PostgreSQL's Pagila sample database, written for these tests, with the shapes real
 * schemas have: a composite key ({@code film_actor}), a table partitioned by month with a key that starts with the
 * partition column ({@code payment}), a schema and columns in mixed case ({@code "Sales"."OrderItems"}), a stored
 * generated column and an identity column that is always generated ({@code inventory}), a table of the same name in
 * two schemas ({@code customer}, {@code archive.customer}), a table whose name matches {@code film_actor} as a LIKE
 * pattern ({@code filmXactor}), and what Keyway must refuse: a table without a primary key ({@code audit_log}), a
 * view ({@code film_list}) and a materialized view ({@code actor_summary}). Every walked table has a counter at 0.
 */
public final class PagilaLikeSchema {

    public static final int ACTORS = 20;
    public static final int FILMS = 200;
    /** Each film has this many actors in {@code film_actor}. */
    public static final int ACTORS_PER_FILM = 5;
    /** Payments per month, in each of {@link #MONTHS} monthly partitions. */
    public static final int PAYMENTS_PER_MONTH = 300;
    public static final int MONTHS = 4;
    public static final int ORDERS = 300;
    public static final int LINES_PER_ORDER = 3;
    public static final int INVENTORY = 400;
    public static final int CUSTOMERS = 500;
    public static final int ARCHIVED_CUSTOMERS = 300;

    private PagilaLikeSchema() {
    }

    /** The actor of film {@code f} that the ctx.db() test addresses: every film has it in {@code film_actor}. */
    public static int leadActor(int film) {
        return (film - 1) % ACTORS + 1;
    }

    public static void create(Sql sql) throws SQLException {
        sql.exec(
                "CREATE TABLE actor (actor_id INT PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL)",
                "INSERT INTO actor SELECT g, 'First' || g, 'Last' || g FROM generate_series(1, " + ACTORS + ") g",
                "CREATE TABLE film (film_id INT PRIMARY KEY, title TEXT NOT NULL, release_year INT,"
                        + " counter INT NOT NULL DEFAULT 0)",
                "INSERT INTO film (film_id, title, release_year) SELECT g, 'Film ' || g, 2000 + g % 20"
                        + " FROM generate_series(1, " + FILMS + ") g",
                // the lead actor of film f is ((f - 1) % 20) + 1, the others follow it
                "CREATE TABLE film_actor (actor_id INT NOT NULL REFERENCES actor, film_id INT NOT NULL REFERENCES film,"
                        + " last_update TIMESTAMPTZ NOT NULL DEFAULT now(), counter INT NOT NULL DEFAULT 0,"
                        + " credits INT NOT NULL DEFAULT 0, PRIMARY KEY (actor_id, film_id))",
                "INSERT INTO film_actor (actor_id, film_id) SELECT ((f - 1 + k) % " + ACTORS + ") + 1, f"
                        + " FROM generate_series(1, " + FILMS + ") f, generate_series(0, " + (ACTORS_PER_FILM - 1) + ") k",
                "CREATE TABLE \"filmXactor\" (id INT PRIMARY KEY, other INT)",
                "INSERT INTO \"filmXactor\" VALUES (1, 1)",
                "CREATE TABLE payment (payment_id INT NOT NULL, customer_id INT NOT NULL, amount NUMERIC(5,2) NOT NULL,"
                        + " payment_date TIMESTAMPTZ NOT NULL, counter INT NOT NULL DEFAULT 0, audited INT NOT NULL"
                        + " DEFAULT 0, PRIMARY KEY (payment_date, payment_id)) PARTITION BY RANGE (payment_date)",
                "CREATE TABLE payment_p2022_01 PARTITION OF payment FOR VALUES FROM ('2022-01-01 00:00+00') TO ('2022-02-01 00:00+00')",
                "CREATE TABLE payment_p2022_02 PARTITION OF payment FOR VALUES FROM ('2022-02-01 00:00+00') TO ('2022-03-01 00:00+00')",
                "CREATE TABLE payment_p2022_03 PARTITION OF payment FOR VALUES FROM ('2022-03-01 00:00+00') TO ('2022-04-01 00:00+00')",
                "CREATE TABLE payment_p2022_04 PARTITION OF payment FOR VALUES FROM ('2022-04-01 00:00+00') TO ('2022-05-01 00:00+00')",
                // several payments share a timestamp: the key's second column decides their order
                "INSERT INTO payment (payment_id, customer_id, amount, payment_date) SELECT g, g % 50 + 1,"
                        + " (g % 10) + 0.99, TIMESTAMPTZ '2022-01-01 00:00+00' + ((g - 1) / " + PAYMENTS_PER_MONTH
                        + ") * INTERVAL '1 month' + ((g * 7) % 100) * INTERVAL '1 hour' FROM generate_series(1, "
                        + PAYMENTS_PER_MONTH * MONTHS + ") g",
                "CREATE SCHEMA \"Sales\"",
                "CREATE TABLE \"Sales\".\"OrderItems\" (\"OrderId\" INT NOT NULL, \"LineNo\" INT NOT NULL,"
                        + " \"Quantity\" INT NOT NULL, \"UnitPrice\" NUMERIC(8,2) NOT NULL, \"Counter\" INT NOT NULL DEFAULT 0,"
                        + " PRIMARY KEY (\"OrderId\", \"LineNo\"))",
                "INSERT INTO \"Sales\".\"OrderItems\" (\"OrderId\", \"LineNo\", \"Quantity\", \"UnitPrice\")"
                        + " SELECT o, l, l + 1, 9.99 FROM generate_series(1, " + ORDERS + ") o, generate_series(1, "
                        + LINES_PER_ORDER + ") l",
                "CREATE TABLE inventory (inventory_id INT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, film_id INT NOT NULL,"
                        + " price NUMERIC(6,2) NOT NULL, price_with_tax NUMERIC(7,2) GENERATED ALWAYS AS (price * 1.2) STORED,"
                        + " counter INT NOT NULL DEFAULT 0)",
                "INSERT INTO inventory (film_id, price) SELECT g % " + FILMS + " + 1, 1.00 FROM generate_series(1, "
                        + INVENTORY + ") g",
                "CREATE TABLE customer (customer_id INT PRIMARY KEY, first_name TEXT NOT NULL, counter INT NOT NULL DEFAULT 0)",
                "INSERT INTO customer (customer_id, first_name) SELECT g, 'Customer' || g FROM generate_series(1, "
                        + CUSTOMERS + ") g",
                "CREATE SCHEMA archive",
                "CREATE TABLE archive.customer (customer_id INT PRIMARY KEY, email TEXT, archived_at DATE,"
                        + " counter INT NOT NULL DEFAULT 0)",
                "INSERT INTO archive.customer (customer_id, email) SELECT g, 'c' || g || '@example.com'"
                        + " FROM generate_series(1, " + ARCHIVED_CUSTOMERS + ") g",
                "CREATE TABLE audit_log (happened_at TIMESTAMPTZ NOT NULL DEFAULT now(), what TEXT, counter INT DEFAULT 0)",
                "INSERT INTO audit_log (what) VALUES ('created')",
                "CREATE VIEW film_list AS SELECT f.film_id, f.title, a.actor_id FROM film f JOIN film_actor a USING (film_id)",
                "CREATE MATERIALIZED VIEW actor_summary AS SELECT actor_id, COUNT(*) AS films FROM film_actor GROUP BY actor_id",
                "ANALYZE");
    }
}
