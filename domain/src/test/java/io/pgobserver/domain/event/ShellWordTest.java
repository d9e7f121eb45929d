package io.pgobserver.domain.event;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A printed command pasted into a terminal: each awkward table name, quoted by either form, reaches the command as
 * one word, unchanged. Checked by an interactive bash, as a terminal runs what is pasted: there, unlike in a script,
 * a {@code !} in double quotes is history expansion.
 */
class ShellWordTest {

    private static final List<String> NAMES = List.of("public.orders", "Sales Dept.Order Items", "public.o'brien",
            "public.\"Quoted\"", "public.back\\slash", "public.$HOME", "public.`id`", "public.new\nline",
            "public.wow!", "it's o'brien's", "public.a!b", "public.!!", "public.x!$", "public.a*b", "public.~t",
            "public.a\\!b");

    @Test
    void aWordQuotedForABareCommandReachesTheCommandWhole() throws Exception {
        assertThat(pasted(ShellWord::of)).isEqualTo(expected());
    }

    @Test
    void aWordQuotedInsideTheAdvicesSingleQuotesReachesTheCommandWhole() throws Exception {
        assertThat(pasted(ShellWord::inQuotes)).isEqualTo(expected());
    }

    /** A {@code '} inside the advice's single quotes reads as their end: the reader copies the command up to it. */
    @Test
    void aWordQuotedInsideTheAdvicesSingleQuotesHoldsNoSingleQuote() {
        NAMES.forEach(name -> assertThat(ShellWord.inQuotes(name)).as(name).doesNotContain("'"));
    }

    @Test
    void aPlainNameIsLeftBare() {
        assertThat(ShellWord.of("public.orders")).isEqualTo("public.orders");
        assertThat(ShellWord.inQuotes("public.orders")).isEqualTo("public.orders");
    }

    private static String expected() {
        StringBuilder out = new StringBuilder();
        NAMES.forEach(name -> out.append('<').append(name).append(">\n"));
        return out.toString();
    }

    /** What an interactive bash prints for {@code printf '<%s>\n' WORD}, a line per name, pasted one after another. */
    private static String pasted(UnaryOperator<String> quote) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "bash is needed to paste the commands into");
        StringBuilder input = new StringBuilder();
        NAMES.forEach(name -> input.append("printf '<%s>\\n' ").append(quote.apply(name)).append('\n'));
        Process bash = new ProcessBuilder("/bin/bash", "--norc", "--noprofile", "-i")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        bash.getOutputStream().write(input.append("exit\n").toString().getBytes(StandardCharsets.UTF_8));
        bash.getOutputStream().close();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
