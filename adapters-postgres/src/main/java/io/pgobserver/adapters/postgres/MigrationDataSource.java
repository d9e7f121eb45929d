package io.pgobserver.adapters.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The pool as the schema migrations see it: its connections without {@link Database#SILENCE_MILLIS}. A migration may
 * rightly keep the server silent for minutes (rewriting or indexing a large change_log, waiting for the writers'
 * locks on a table it alters); bounded, it would fail, and fail again at each attempt of the start. The pool puts
 * the bound back when a connection returns.
 */
final class MigrationDataSource extends ForwardingDataSource {

    MigrationDataSource(DataSource pool) {
        super(pool);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return unbounded(target.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return unbounded(target.getConnection(username, password));
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
}
