package io.pgobserver.bootstrap.tracing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the signals the tests send to the processes they start can do there. */
public final class Signals {

    private Signals() {
    }

    /**
     * Whether this JVM has SIGINT ignored, and so every process it starts: a build started in the background by a
     * shell without job control ({@code mvn verify &} in a script) inherits SIGINT ignored (POSIX), and a process
     * cannot undo an ignore it inherits, so SIGINT does nothing there, to the observer as to any program.
     */
    public static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 0x2) != 0; // bit 1: SIGINT (2)
            }
        }
        return false;
    }
}
