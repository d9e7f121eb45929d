package io.pgobserver.bootstrap.cli;

/** The exit codes of the command line (docs/guide.md). */
public final class ExitCodes {

    public static final int OK = 0;
    /** A runtime failure: the database is unreachable, a replay failed. */
    public static final int FAILURE = 1;
    /** Bad configuration or usage. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}
