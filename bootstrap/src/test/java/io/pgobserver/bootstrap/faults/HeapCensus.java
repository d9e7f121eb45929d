package io.pgobserver.bootstrap.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a running JVM holds after a full collection, from {@code jcmd PID GC.class_histogram} (which collects first
 * and counts only live objects): the bytes of the whole live heap, and instances by class.
 *
 * <p>The histogram also lists the collector's filler objects ({@code jdk.internal.vm.FillerElement[]}): dead space
 * it keeps parsable, not data anyone holds. They are left out, bytes and instances: one census of the same process
 * counted 1,245 of them where the one before counted none, and 7 MB with them.
 *
 * @param liveBytes every live object's bytes
 * @param instances live instances by class name
 */
record HeapCensus(long liveBytes, Map<String, Long> instances) {

    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final String FILLER = "jdk.internal.vm.Filler";
    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");

    /** Takes the census of process {@code pid} (a full collection, then the histogram). */
    static HeapCensus of(long pid) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (jcmd.waitFor() != 0) {
            throw new AssertionError("jcmd " + pid + " GC.class_histogram failed:\n" + out);
        }
        return parse(out);
    }

    static HeapCensus parse(String histogram) {
        Map<String, Long> instances = new TreeMap<>();
        long total = -1;
        long filler = 0;
        for (String line : histogram.split("\n")) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                if (row.group(3).contains(FILLER)) {
                    filler += Long.parseLong(row.group(2));
                } else {
                    instances.merge(row.group(3), Long.parseLong(row.group(1)), Long::sum);
                }
                continue;
            }
            Matcher sum = TOTAL.matcher(line.strip());
            if (sum.find()) {
                total = Long.parseLong(sum.group(2));
            }
        }
        if (total < 0) {
            throw new AssertionError("no Total line in the class histogram:\n" + histogram);
        }
        return new HeapCensus(total - filler, instances);
    }

    long count(String className) {
        return instances.getOrDefault(className, 0L);
    }

    /** The {@code n} classes that gained the most live instances from {@code before}, with their counts. */
    String mostGrown(HeapCensus before, int n) {
        return instances.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue() - before.count(b.getKey()),
                        a.getValue() - before.count(a.getKey())))
                .limit(n).map(e -> e.getKey() + " " + before.count(e.getKey()) + " -> " + e.getValue())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** The product's own classes whose live instances grew from {@code before} by more than {@code slack}. */
    Map<String, String> productGrowthPast(HeapCensus before, long slack) {
        Map<String, String> grown = new TreeMap<>();
        instances.forEach((name, now) -> {
            long was = before.count(name);
            if (name.startsWith("io.pgobserver.") && now - was > slack) {
                grown.put(name, was + " -> " + now);
            }
        });
        return grown;
    }
}
