package io.pgobserver.bootstrap.cli;

import io.pgobserver.bootstrap.config.ConfigKeys;
import picocli.CommandLine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines of a command's {@code --help} that end inside a word a user copies: a configuration key, a path or a
 * URL. picocli ends a line after '.', '/' or ':' as readily as at a space, so
 * {@code --set tracing.exporter=zipkin} could be printed as {@code tracing.} and, on the next line,
 * {@code exporter=zipkin}. For {@code pg-observer}'s commands and the benchmarks' {@code bench}.
 */
public final class HelpLines {

    private HelpLines() {
    }

    /** For the command and every subcommand below it, each line pair with a word cut in two, named; empty if none. */
    public static List<String> cut(CommandLine root) throws IOException {
        List<Pattern> keys = keyPatterns();
        List<String> cut = new ArrayList<>();
        for (CommandLine command : everyCommand(root)) {
            String[] lines = command.getUsageMessage(CommandLine.Help.Ansi.OFF).split("\\R");
            for (int i = 0; i + 1 < lines.length; i++) {
                String end = lines[i].stripTrailing();
                String start = lines[i + 1].stripLeading();
                String lastWord = end.substring(end.lastIndexOf(' ') + 1);
                String what = spansTheBreak(keys, end, start) ? "a configuration key"
                        : lastWord.matches(".*[./:-]") && (lastWord.contains("/") || start.startsWith("/"))
                                && start.matches("[a-z0-9/].*") ? "a path or URL"
                        : null;
                if (what != null) {
                    cut.add(command.getCommandSpec().qualifiedName() + " --help, lines " + (i + 1) + "-" + (i + 2)
                            + " cut " + what + ": '" + end.substring(Math.max(0, end.length() - 30)) + "' / '"
                            + start.substring(0, Math.min(30, start.length())) + "'");
                }
            }
        }
        return cut;
    }

    /** The command and every subcommand below it. */
    public static List<CommandLine> everyCommand(CommandLine root) {
        List<CommandLine> all = new ArrayList<>(List.of(root));
        root.getSubcommands().values().forEach(sub -> all.addAll(everyCommand(sub)));
        return all;
    }

    /** Whether a key, written across the two lines as one word, starts on the first and ends on the second. */
    private static boolean spansTheBreak(List<Pattern> keys, String end, String start) {
        String joined = end + start;
        for (Pattern key : keys) {
            Matcher m = key.matcher(joined);
            while (m.find()) {
                if (m.start() < end.length() && m.end() > end.length()) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Each configuration key ({@link ConfigKeys}: from the configuration itself, not a hand list), and each of its
     * parents with a dot ({@code tracing.batch}), as help writes it: an observer's name as any word ({@code NAME}),
     * a list item as {@code [N]}.
     */
    private static List<Pattern> keyPatterns() throws IOException {
        Set<String> paths = new TreeSet<>();
        for (String key : ConfigKeys.all()) {
            for (int dot = key.indexOf('.'); dot > 0; dot = key.indexOf('.', dot + 1)) {
                int next = key.indexOf('.', dot + 1);
                paths.add(next < 0 ? key : key.substring(0, next));
            }
        }
        return paths.stream().map(path -> Pattern.compile("(?<![\\w.])" + Pattern.quote(path)
                .replace("<name>", "\\E\\w+\\Q").replace("[]", "\\E\\[\\w*]\\Q"))).toList();
    }
}
