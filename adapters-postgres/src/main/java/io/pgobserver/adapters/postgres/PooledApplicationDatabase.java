package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.spi.ApplicationDatabase;
import io.pgobserver.domain.trace.TraceContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jdbi.v3.core.JdbiException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The application's writes on the observer's pool. Plain prepared statements on the transaction's connection:
 * the driver switches a statement text sent repeatedly on one connection to a server-side prepared statement, so a
 * writer that sends the same insert again and again gets the plan reuse it would get holding its own connection.
 */
@Singleton
final class PooledApplicationDatabase implements ApplicationDatabase {

    /** Local to the transaction, as {@code SET LOCAL} is, but with the value bound rather than pasted. */
    private static final String SET_TRACEPARENT = "select set_config('pgobserver.traceparent', ?, true)";

    private final Database database;

    @Inject
    PooledApplicationDatabase(Database database) {
        this.database = database;
    }

    @Override
    public List<String> commit(TraceContext trace, List<Statement> statements) {
        Objects.requireNonNull(trace, "trace (TraceContext.NONE for none)");
        if (statements.isEmpty()) {
            throw new IllegalArgumentException("a transaction needs at least one statement");
        }
        try {
            // A statement's failure leaves the callback as an exception, and Jdbi rolls the transaction back.
            return database.jdbi().inTransaction(handle -> {
                Database.waitAsLongAsItTakes(handle); // the application's statements, however long they take
                return run(handle.getConnection(), trace, statements);
            });
        } catch (JdbiException e) {
            throw new IllegalStateException("the transaction was rolled back: " + Database.rootMessage(e), e);
        }
    }

    private static List<String> run(Connection connection, TraceContext trace, List<Statement> statements) {
        if (trace.isValid()) {
            try (PreparedStatement set = connection.prepareStatement(SET_TRACEPARENT)) {
                set.setString(1, trace.traceparent());
                set.execute();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot set pgobserver.traceparent, the transaction was rolled back: "
                        + Database.rootMessage(e), e);
            }
        }
        List<String> answers = new ArrayList<>(statements.size());
        for (int i = 0; i < statements.size(); i++) {
            Statement statement = statements.get(i);
            try {
                answers.add(answer(connection, statement));
            } catch (SQLException e) {
                throw new IllegalStateException("statement " + (i + 1) + " of " + statements.size()
                        + " failed, the transaction was rolled back: " + Database.rootMessage(e), e);
            }
        }
        return Collections.unmodifiableList(answers);
    }

    private static String answer(Connection connection, Statement statement) throws SQLException {
        try (PreparedStatement prepared = connection.prepareStatement(statement.sql())) {
            List<Object> parameters = statement.parameters();
            for (int p = 0; p < parameters.size(); p++) {
                prepared.setObject(p + 1, parameters.get(p));
            }
            if (!prepared.execute()) {
                return Long.toString(prepared.getLargeUpdateCount());
            }
            try (ResultSet rows = prepared.getResultSet()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }
}
