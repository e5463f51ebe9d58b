package dev.keyway.it.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.Job;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.ItemWriteListener;
import org.springframework.batch.core.JobParametersBuilder;
import org.springframework.batch.core.Step;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.configuration.annotation.EnableBatchProcessing;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.launch.JobLauncher;
import org.springframework.batch.core.partition.PartitionHandler;
import org.springframework.batch.core.partition.support.Partitioner;
import org.springframework.batch.core.partition.support.TaskExecutorPartitionHandler;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.SimpleStepBuilder;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.item.Chunk;
import org.springframework.batch.item.ExecutionContext;
import org.springframework.batch.item.ItemProcessor;
import org.springframework.batch.item.database.JdbcBatchItemWriter;
import org.springframework.batch.item.database.JdbcPagingItemReader;
import org.springframework.batch.item.database.Order;
import org.springframework.batch.item.database.builder.JdbcBatchItemWriterBuilder;
import org.springframework.batch.item.database.builder.JdbcPagingItemReaderBuilder;
import org.springframework.batch.item.database.support.PostgresPagingQueryProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.init.ScriptUtils;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The Spring Batch contender of the backfill benchmark: the JVM tool peer users would pick, set up the
 * way the Spring Batch reference documentation recommends, in plain Java configuration (no Spring Boot).
 *
 * <p>One {@link #run} is one new job instance of a job with a <em>partitioned step</em>:
 * <ul>
 *   <li>a JDBC {@link JobRepository} ({@link EnableBatchProcessing}) on the benchmarked PostgreSQL database,
 *       its tables created from Spring Batch's own {@code schema-postgresql.sql} when missing, and a
 *       {@link DataSourceTransactionManager};</li>
 *   <li>the manager step: a {@link Partitioner} splitting {@code [min(id), max(id)]} of {@code bench} into
 *       {@code partitions} contiguous ranges, run by a {@link TaskExecutorPartitionHandler} on a
 *       {@link ThreadPoolTaskExecutor} of exactly {@code partitions} threads;</li>
 *   <li>the worker step, chunk-oriented with commit interval {@code chunkSize}: a step-scoped
 *       {@link JdbcPagingItemReader} (keyset paging on {@code id} by {@link PostgresPagingQueryProvider},
 *       page size {@code chunkSize}, {@code WHERE id BETWEEN :minId AND :maxId} from the partition's step
 *       execution context), an {@link ItemProcessor} computing {@code derived = name<email>} in Java, and a
 *       {@link JdbcBatchItemWriter} running {@code UPDATE bench SET derived = ?, touched = touched + 1
 *       WHERE id = ?} as one JDBC batch per chunk.</li>
 * </ul>
 *
 * <p>The DataSource must allow at least {@code partitions + 2} connections: each worker thread holds one
 * for its chunk transaction, and the job repository needs one on the launching thread.
 */
public final class SpringBatchBackfill {

    static final String JOB_NAME = "benchBackfill";
    static final String MANAGER_STEP = "backfillManager";
    static final String WORKER_STEP = "backfillWorker";

    private static final String SCHEMA = "org/springframework/batch/core/schema-postgresql.sql";
    private static final String UPDATE_SQL = "UPDATE bench SET derived = ?, touched = touched + 1 WHERE id = ?";

    private SpringBatchBackfill() {
    }

    /**
     * Backfills every row of {@code bench} as a new job instance and returns the number of items written
     * (the sum of the worker step executions' write counts).
     *
     * @throws IllegalStateException when the job did not complete
     */
    public static long run(DataSource dataSource, int chunkSize, int partitions) throws Exception {
        return run(dataSource, chunkSize, partitions, null);
    }

    /**
     * {@link #run(DataSource, int, int)} held to a rate (issue 20's peer at Keyway's speed): when {@code limiter} is
     * not null, each chunk acquires as many permits as it has rows before it is written
     * ({@link ItemWriteListener#beforeWrite}, after the chunk's read and before its {@code UPDATE}s lock the rows),
     * so that all partitions together write at most {@code limiter}'s rate.
     */
    public static long run(DataSource dataSource, int chunkSize, int partitions, RateLimiter limiter) throws Exception {
        if (chunkSize < 1 || partitions < 1) {
            throw new IllegalArgumentException("chunkSize and partitions must be positive, were "
                    + chunkSize + " and " + partitions);
        }
        ensureSchema(dataSource);
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            // the caller owns the DataSource: no inferred close() when the context closes
            context.registerBean("dataSource", DataSource.class, () -> dataSource,
                    definition -> definition.setDestroyMethodName(""));
            context.registerBean(Settings.class, () -> new Settings(chunkSize, partitions, limiter));
            context.register(BatchConfig.class);
            context.refresh();

            JobParameters parameters = new JobParametersBuilder()
                    .addString("run.id", UUID.randomUUID().toString())
                    .addLong("chunkSize", (long) chunkSize, false)
                    .addLong("partitions", (long) partitions, false)
                    .toJobParameters();
            JobExecution execution = context.getBean(JobLauncher.class)
                    .run(context.getBean("backfillJob", Job.class), parameters);

            if (execution.getStatus() != BatchStatus.COMPLETED) {
                throw new IllegalStateException("Spring Batch job " + execution.getJobId() + " ended "
                        + execution.getStatus() + " (" + execution.getExitStatus() + ")",
                        execution.getAllFailureExceptions().isEmpty() ? null
                                : execution.getAllFailureExceptions().get(0));
            }
            long written = 0;
            for (StepExecution step : execution.getStepExecutions()) {
                // the manager step's counts aggregate its workers': count the workers only
                if (!step.getStepName().equals(MANAGER_STEP)) {
                    written += step.getWriteCount();
                }
            }
            return written;
        }
    }

    /**
     * Creates Spring Batch's tables from its own PostgreSQL script unless they exist, in one transaction
     * under an advisory lock so that concurrent first runs do not race (PostgreSQL DDL is transactional).
     */
    static void ensureSchema(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_xact_lock(hashtext('spring-batch-schema'))");
                boolean exists;
                try (ResultSet rs = statement.executeQuery(
                        "SELECT to_regclass('batch_job_instance') IS NOT NULL")) {
                    rs.next();
                    exists = rs.getBoolean(1);
                }
                if (!exists) {
                    ScriptUtils.executeSqlScript(connection, new ClassPathResource(SCHEMA));
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    /** What one run was asked for; {@code limiter} null: no limit. */
    record Settings(int chunkSize, int partitions, RateLimiter limiter) {
    }

    /** Waits for a chunk's permits before its write. */
    record Throttle(RateLimiter limiter) implements ItemWriteListener<Update> {
        @Override
        public void beforeWrite(Chunk<? extends Update> items) {
            try {
                limiter.acquire(items.size());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the rate limit", e);
            }
        }
    }

    /** One row as read. */
    record Row(long id, String name, String email) {
    }

    /** One row's new values. */
    record Update(long id, String derived) {
    }

    /** {@code name || '<' || email || '>'} with SQL's NULL semantics, computed in Java. */
    static String derive(String name, String email) {
        return name == null || email == null ? null : name + '<' + email + '>';
    }

    /** Splits {@code [min(id), max(id)]} of {@code bench} into {@code gridSize} contiguous ranges. */
    static final class IdRangePartitioner implements Partitioner {

        private final JdbcTemplate jdbc;

        IdRangePartitioner(DataSource dataSource) {
            this.jdbc = new JdbcTemplate(dataSource);
        }

        @Override
        public Map<String, ExecutionContext> partition(int gridSize) {
            long[] range = jdbc.queryForObject("SELECT min(id), max(id) FROM bench",
                    (rs, i) -> rs.getObject(1) == null ? null : new long[] {rs.getLong(1), rs.getLong(2)});
            Map<String, ExecutionContext> partitions = new HashMap<>();
            if (range == null) {
                partitions.put("partition0", context(1, 0)); // empty table: one partition reading nothing
                return partitions;
            }
            long min = range[0];
            long max = range[1];
            long span = max - min + 1;
            long size = (span + gridSize - 1) / gridSize;
            for (int i = 0; i < gridSize; i++) {
                long from = min + i * size;
                if (from > max) {
                    break;
                }
                partitions.put("partition" + i, context(from, Math.min(max, from + size - 1)));
            }
            return partitions;
        }

        private static ExecutionContext context(long minId, long maxId) {
            ExecutionContext context = new ExecutionContext();
            context.putLong("minId", minId);
            context.putLong("maxId", maxId);
            return context;
        }
    }

    /** The job: Spring Batch's Java configuration, with a JDBC job repository on {@code dataSource}. */
    @Configuration(proxyBeanMethods = true)
    @EnableBatchProcessing
    public static class BatchConfig {

        @Bean
        public PlatformTransactionManager transactionManager(DataSource dataSource) {
            return new DataSourceTransactionManager(dataSource);
        }

        @Bean
        public ThreadPoolTaskExecutor partitionExecutor(Settings settings) {
            ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
            executor.setCorePoolSize(settings.partitions());
            executor.setMaxPoolSize(settings.partitions());
            executor.setQueueCapacity(Integer.MAX_VALUE);
            executor.setThreadNamePrefix("batch-partition-");
            executor.setWaitForTasksToCompleteOnShutdown(true);
            return executor;
        }

        @Bean
        public Partitioner partitioner(DataSource dataSource) {
            return new IdRangePartitioner(dataSource);
        }

        @Bean
        @StepScope
        public JdbcPagingItemReader<Row> reader(DataSource dataSource, Settings settings,
                @Value("#{stepExecutionContext['minId']}") Long minId,
                @Value("#{stepExecutionContext['maxId']}") Long maxId) {
            PostgresPagingQueryProvider query = new PostgresPagingQueryProvider();
            query.setSelectClause("SELECT id, name, email");
            query.setFromClause("FROM bench");
            query.setWhereClause("WHERE id BETWEEN :minId AND :maxId");
            query.setSortKeys(Map.of("id", Order.ASCENDING));
            return new JdbcPagingItemReaderBuilder<Row>()
                    .name("benchReader")
                    .dataSource(dataSource)
                    .queryProvider(query)
                    .parameterValues(Map.of("minId", minId, "maxId", maxId))
                    .pageSize(settings.chunkSize())
                    .fetchSize(settings.chunkSize())
                    .rowMapper((rs, i) -> new Row(rs.getLong("id"), rs.getString("name"), rs.getString("email")))
                    .build();
        }

        @Bean
        public ItemProcessor<Row, Update> processor() {
            return row -> new Update(row.id(), derive(row.name(), row.email()));
        }

        @Bean
        public JdbcBatchItemWriter<Update> writer(DataSource dataSource) {
            return new JdbcBatchItemWriterBuilder<Update>()
                    .dataSource(dataSource)
                    .sql(UPDATE_SQL)
                    .itemPreparedStatementSetter((update, ps) -> {
                        ps.setString(1, update.derived());
                        ps.setLong(2, update.id());
                    })
                    .build();
        }

        @Bean
        public Step workerStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
                Settings settings, JdbcPagingItemReader<Row> reader, ItemProcessor<Row, Update> processor,
                JdbcBatchItemWriter<Update> writer) {
            SimpleStepBuilder<Row, Update> step = new StepBuilder(WORKER_STEP, jobRepository)
                    .<Row, Update>chunk(settings.chunkSize(), transactionManager)
                    .reader(reader)
                    .processor(processor)
                    .writer(writer);
            if (settings.limiter() != null) {
                step.listener(new Throttle(settings.limiter()));
            }
            return step.build();
        }

        @Bean
        public PartitionHandler partitionHandler(@Qualifier("workerStep") Step workerStep, ThreadPoolTaskExecutor partitionExecutor,
                Settings settings) {
            TaskExecutorPartitionHandler handler = new TaskExecutorPartitionHandler();
            handler.setStep(workerStep);
            handler.setTaskExecutor(partitionExecutor);
            handler.setGridSize(settings.partitions());
            return handler;
        }

        @Bean
        public Step managerStep(JobRepository jobRepository, Partitioner partitioner,
                PartitionHandler partitionHandler) {
            return new StepBuilder(MANAGER_STEP, jobRepository)
                    .partitioner(WORKER_STEP, partitioner)
                    .partitionHandler(partitionHandler)
                    .build();
        }

        @Bean
        public Job backfillJob(JobRepository jobRepository, @Qualifier("managerStep") Step managerStep) {
            return new JobBuilder(JOB_NAME, jobRepository)
                    .start(managerStep)
                    .build();
        }
    }
}
