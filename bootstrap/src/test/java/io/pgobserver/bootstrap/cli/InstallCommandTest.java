package io.pgobserver.bootstrap.cli;

import io.pgobserver.bootstrap.wiring.AdapterCatalog;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What install says of the tables it captured that no observer watches yet, and what a stop advises to run. */
class InstallCommandTest {

    @Test
    void aFewUnobservedTablesAreNamedInOneNote() {
        assertThat(InstallCommand.unobservedNote(List.of("public.a", "public.b"))).isEqualTo("note: no observer in "
                + "this configuration watches public.a, public.b yet (observers.<name>.entity: public.a)");
    }

    /** Installing a schema's 150 tables before writing their observers printed 150 notes. */
    @Test
    void manyUnobservedTablesAreCountedWithTheFirstFewNamed() {
        List<String> tables = IntStream.rangeClosed(1, 150).mapToObj(i -> "public.t" + i).toList();
        assertThat(InstallCommand.unobservedNote(tables)).isEqualTo("note: no observer in this configuration "
                + "watches 150 of these tables yet: public.t1, public.t2, public.t3, public.t4, public.t5 and 145 "
                + "more (observers.<name>.entity: public.t1)");
    }

    /**
     * The command a stop advises, pasted as it stands between the advice's single quotes into an interactive bash,
     * gives install every word whole: tables, columns left out, id column, --config and --set with quotes, spaces,
     * brackets or a '!'.
     * Each was single-quoted inside those quotes, which ended them at the first word that needed quoting.
     */
    @Test
    void theCommandAStopAdvisesPastesWithEveryWordWhole() throws Exception {
        List<String> tables = List.of("public.o'brien", "Sales Dept.Order Items", "public.wow!");
        List<String> options = List.of("--exclude-column", "pass 'word'", "--exclude-column", "token",
                "--id-column", "it's id", "--config", "my dir/it's.yaml",
                "--set", "observers.o.actions[0].url=https://hooks.example/h", "--set", "database.password=pw");
        List<String> args = new ArrayList<>(List.of("install"));
        tables.forEach(t -> args.addAll(List.of("--table", t)));
        args.addAll(options);
        InstallCommand install = (InstallCommand) PgObserverCommand.commandLine(AdapterCatalog.discover())
                .parseArgs(args.toArray(String[]::new)).subcommand().commandSpec().userObject();

        String advice = install.again(tables);

        Matcher quoted = Pattern.compile("run '([^']*)' again").matcher(advice);
        assertThat(quoted.find()).as(advice).isTrue();
        StringBuilder expected = new StringBuilder();
        args.stream().map(a -> a.equals("database.password=pw") ? "database.password=<secret: give it again>" : a)
                .forEach(a -> expected.append('<').append(a).append(">\n"));
        assertThat(pasted(quoted.group(1))).isEqualTo(expected.toString());
    }

    /** What an interactive bash prints for the command, pg-observer printing each of its words on a line. */
    private static String pasted(String command) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "bash is needed to paste the command into");
        Process bash = new ProcessBuilder("/bin/bash", "--norc", "--noprofile", "-i")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        bash.getOutputStream().write(("pg-observer() { printf '<%s>\\n' \"$@\"; }\n" + command + "\nexit\n")
                .getBytes(StandardCharsets.UTF_8));
        bash.getOutputStream().close();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
