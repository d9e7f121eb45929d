package io.pgobserver.adapters.postgres;

import com.zaxxer.hikari.util.DriverDataSource;
import org.postgresql.Driver;
import org.postgresql.PGProperty;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * How the pool opens its connections: through the driver, as the pool itself would from a URL, remembering whether
 * the last attempt failed. That tells a stop during an outage (the pool's attempts failing one after another) from
 * an ordinary stop that finds the pool still opening a connection to a server that answers (a short command closes
 * its pool while the pool fills up to its minimum): the pool's threads look the same in both.
 */
final class ConnectionAttempts extends ForwardingDataSource {

    private volatile boolean failing;

    ConnectionAttempts(DatabaseSettings settings) {
        super(new DriverDataSource(settings.url(), null, driverProperties(settings.url()), settings.user(),
                settings.password() == null ? null : settings.password().reveal()));
    }

    private static Properties driverProperties(String url) {
        Properties props = new Properties();
        // Set once for every connection the pool opens, rather than on each handle (two system calls a call). The
        // driver lets a socketTimeout in the URL win over this property; the pool reads the bound from the first
        // connection and puts it back on every connection returned without it (Database.waitAsLongAsItTakes).
        props.setProperty(PGProperty.SOCKET_TIMEOUT.getName(), Database.SILENCE_SECONDS);
        props.setProperty(PGProperty.APPLICATION_NAME.getName(), "pg-observer");
        props.setProperty(PGProperty.TCP_KEEP_ALIVE.getName(), "true");
        // The pool's own bound on an attempt (its connection timeout), which the driver does not read from the pool.
        // Given, the driver connects on a thread of its own and the caller waits for it where an interrupt ends the
        // wait: a stop then ends an attempt on a server that accepts and never answers (frozen), which without it
        // held the caller in a read an interrupt does not end, up to the silence bound.
        props.setProperty(PGProperty.LOGIN_TIMEOUT.getName(), loginTimeout(url));
        // The server's error detail quotes the failing row ("Failing row contains (...)"): for the stores that is
        // a whole event, which must not reach logs and spans through an exception message.
        props.setProperty(PGProperty.LOG_SERVER_ERROR_DETAIL.getName(), "false");
        return props;
    }

    /**
     * An attempt's bound for the driver: {@link Database#ATTEMPT_SECONDS} for each host the URL names. The driver
     * tries a multi-host URL's hosts in turn within one login, each for up to its connect timeout (10 s): one
     * bound for all would end every attempt on the first host when it drops packets (a failed primary's address),
     * and the next host, which would answer, would never be tried.
     */
    static String loginTimeout(String url) {
        Properties parsed = Driver.parseURL(url, new Properties());
        String hosts = parsed == null ? null : parsed.getProperty(PGProperty.PG_HOST.getName());
        int count = hosts == null || hosts.isBlank() ? 1 : hosts.split(",").length;
        return String.valueOf(Database.ATTEMPT_SECONDS * count);
    }

    /** Whether the last attempt to connect failed: the server refused it, did not answer, or could not be found. */
    boolean failing() {
        return failing;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return attempt(target::getConnection);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return attempt(() -> target.getConnection(username, password));
    }

    private Connection attempt(Attempt attempt) throws SQLException {
        try {
            Connection connection = attempt.connect();
            failing = false;
            return connection;
        } catch (SQLException | RuntimeException e) {
            failing = true;
            throw e;
        }
    }

    private interface Attempt {
        Connection connect() throws SQLException;
    }
}
