package io.pgobserver.domain.spi;

import io.pgobserver.domain.trace.TraceContext;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The observed database as the application that writes its rows uses it, for commands that play that application
 * (the demo's orders, the load run's backlog) through {@link RunningObserver#applicationDatabase()} without a JDBC
 * type of their own. It commits statements as one transaction, optionally inside the writer's trace, and reads
 * one value; it is deliberately no more than that.
 *
 * <p>The trace travels the way the product documents for instrumented applications: the transaction sets
 * {@code pgobserver.traceparent} (as {@code SET LOCAL} does) before its statements, so every change the capture
 * trigger records in it continues that trace.
 */
public interface ApplicationDatabase {

    /**
     * Runs the statements in order in one transaction and commits it. When the first of them fails, the whole
     * transaction is rolled back.
     *
     * @param trace      the writer's trace, set as {@code pgobserver.traceparent} for this transaction; or
     *                   {@link TraceContext#NONE} for none
     * @param statements at least one
     * @return what each statement answered, in order: the first column of its first row as text when it returns
     * rows ({@code insert ... returning id}, {@code select}; null when it returned none), otherwise the number of
     * rows it changed
     * @throws IllegalStateException when a statement fails; the message is the database's, and says which
     *                               statement failed
     */
    List<String> commit(TraceContext trace, List<Statement> statements);

    /**
     * Runs one statement in a transaction of its own, outside any trace (a table to create, a setting to read),
     * and returns its answer as {@link #commit(TraceContext, List)} does.
     */
    default String run(Statement statement) {
        return commit(TraceContext.NONE, List.of(statement)).get(0);
    }

    /**
     * One SQL statement with its positional {@code ?} parameters, sent as a prepared statement (the server
     * reuses its plan when the same text is sent again).
     *
     * @param sql        the statement's text; values go in parameters, never pasted into it
     * @param parameters text, whole numbers, decimals or booleans; write {@code null} into the SQL itself
     */
    record Statement(String sql, List<Object> parameters) {

        public Statement {
            if (sql == null || sql.isBlank()) {
                throw new IllegalArgumentException("a statement needs its SQL text");
            }
            Objects.requireNonNull(parameters, "parameters");
            for (int i = 0; i < parameters.size(); i++) {
                Object p = parameters.get(i);
                if (p == null) {
                    throw new IllegalArgumentException("parameter " + (i + 1) + " of '" + sql + "' is null: "
                            + "write NULL into the SQL");
                }
                // Values are not quoted in messages: they are the application's data.
                if (!(p instanceof String || p instanceof Integer || p instanceof Long || p instanceof Double
                        || p instanceof BigDecimal || p instanceof Boolean)) {
                    throw new IllegalArgumentException("parameter " + (i + 1) + " of '" + sql + "' is a "
                            + p.getClass().getName() + ": pass String, Integer, Long, Double, BigDecimal or Boolean");
                }
            }
            parameters = List.copyOf(parameters);
        }

        public static Statement of(String sql, Object... parameters) {
            return new Statement(sql, Arrays.asList(parameters));
        }
    }
}
