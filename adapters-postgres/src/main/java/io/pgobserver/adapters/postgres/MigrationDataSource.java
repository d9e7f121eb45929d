package io.pgobserver.adapters.postgres;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The pool as the schema migrations see it: its connections without {@link Database#SILENCE_MILLIS}. A migration may
 * rightly keep the server silent for minutes (rewriting or indexing a large change_log, waiting for the writers'
 * locks on a table it alters); bounded, it would fail, and fail again at each attempt of the start. The pool puts
 * the bound back when a connection returns.
 */
final class MigrationDataSource implements DataSource {

    private final DataSource pool;

    MigrationDataSource(DataSource pool) {
        this.pool = pool;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return unbounded(pool.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return unbounded(pool.getConnection(username, password));
    }

    private static Connection unbounded(Connection connection) throws SQLException {
        try {
            connection.setNetworkTimeout(Runnable::run, 0);
            return connection;
        } catch (SQLException e) {
            connection.close(); // back to the pool, which drops a broken one
            throw e;
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : pool.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || pool.isWrapperFor(type);
    }
}
