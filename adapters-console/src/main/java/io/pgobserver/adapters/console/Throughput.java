package io.pgobserver.adapters.console;

/** Finished events per second over the last {@value #SECONDS} seconds, for the overview's chart. */
final class Throughput {

    static final int SECONDS = 300;

    private final long[] seconds = new long[SECONDS];
    private final long[] counts = new long[SECONDS];

    synchronized void count(long epochMillis) {
        long second = epochMillis / 1000;
        int slot = (int) (second % SECONDS);
        if (seconds[slot] != second) {
            seconds[slot] = second;
            counts[slot] = 0;
        }
        counts[slot]++;
    }

    /** Events in each of the {@value #SECONDS} whole seconds before {@code nowMillis}'s second, oldest first. */
    synchronized long[] perSecond(long nowMillis) {
        long current = nowMillis / 1000;
        long[] out = new long[SECONDS];
        for (int i = 0; i < SECONDS; i++) {
            long second = current - SECONDS + i;
            int slot = (int) (Math.floorMod(second, SECONDS));
            out[i] = seconds[slot] == second ? counts[slot] : 0;
        }
        return out;
    }
}
