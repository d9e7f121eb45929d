package io.pgobserver.domain.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Amounts of memory as users write them in the configuration: {@code 64MiB}, {@code 512KiB}, {@code 1GiB} (powers of
 * 1024), {@code 64MB}, {@code 1GB} (powers of 1000), or a plain number of bytes ({@code 67108864}).
 */
public final class ByteSizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|kb|kib|mb|mib|gb|gib)?");
    private static final long KIB = 1024;
    private static final long MIB = KIB * 1024;
    private static final long GIB = MIB * 1024;

    private ByteSizes() {
    }

    /** @throws IllegalArgumentException naming {@code key} when the text is not an amount of memory */
    public static long parse(String key, String value) {
        Matcher m = SIZE.matcher(value.trim().replace("_", "").toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(key + " must be an amount of memory such as 64MiB, 512KiB or 1GiB, "
                    + "was '" + value + "'");
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        double bytes = amount * switch (unit) {
            case "kib" -> KIB;
            case "mib" -> MIB;
            case "gib" -> GIB;
            case "kb" -> 1_000;
            case "mb" -> 1_000_000;
            case "gb" -> 1_000_000_000;
            default -> 1;
        };
        if (bytes >= Long.MAX_VALUE) {
            throw new IllegalArgumentException(key + " is too large, was '" + value + "'");
        }
        return (long) bytes;
    }

    /** As people read it: {@code 64 MiB}, {@code 1.5 GiB}, {@code 300 KiB}, {@code 812 bytes}. */
    public static String format(long bytes) {
        if (bytes < KIB) {
            return bytes + " bytes";
        }
        double value;
        String unit;
        if (bytes >= GIB) {
            value = (double) bytes / GIB;
            unit = "GiB";
        } else if (bytes >= MIB) {
            value = (double) bytes / MIB;
            unit = "MiB";
        } else {
            value = (double) bytes / KIB;
            unit = "KiB";
        }
        String number = value >= 100 || value == Math.rint(value) ? Long.toString(Math.round(value))
                : String.format(Locale.ROOT, "%.1f", value);
        return number + " " + unit;
    }
}
