package io.pgobserver.adapters.actions;

import com.fasterxml.jackson.databind.json.JsonMapper;
import mockwebserver3.RecordedRequest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What {@code docs/guide.md} tells a receiver, read from the guide itself so that the guide cannot drift from what is
 * sent: the example request of "Webhook requests", and its receivers ("Verifying (Python)", "Verifying (Node.js)"),
 * run as written by {@code python3} and {@code node} on a request the executor really sent. Where an interpreter is
 * missing (CI may lack one), the check that needs it is skipped, with a message saying so.
 */
final class GuideReceivers {

    static final Path GUIDE = Path.of("..", "docs", "guide.md");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A receiver of the guide: its heading's language, the interpreter, and the code that calls its verify(). */
    enum Receiver {
        PYTHON("Python", "python", "python3", """
                import base64, json, sys
                for case in json.load(open(sys.argv[1], encoding="utf-8")):
                    print(verify(case["secret"], case["headers"], base64.b64decode(case["body"])))
                """),
        NODE("Node.js", "js", "node", """
                const cases = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
                for (const c of cases) {
                  console.log(verify(c.secret, c.headers, Buffer.from(c.body, 'base64')) ? 'True' : 'False');
                }
                """);

        private final String heading;
        private final String fence;
        private final String interpreter;
        private final String harness;

        Receiver(String heading, String fence, String interpreter, String harness) {
            this.heading = heading;
            this.fence = fence;
            this.interpreter = interpreter;
            this.harness = harness;
        }

        /**
         * What the guide's verify(secret, headers, body) says of each check, in one run of the interpreter: headers
         * as a framework hands them over (lower-case names), the body as the raw bytes received.
         */
        List<Boolean> verify(List<Check> checks) throws IOException, InterruptedException {
            assumeTrue(available(), interpreter + " does not run here (not on the PATH): the guide's " + heading
                    + " receiver is not run against real requests here");
            Path dir = Files.createTempDirectory("guide-receiver");
            Path script = Files.writeString(dir.resolve(fence.equals("js") ? "verify.js" : "verify.py"),
                    section("Verifying (" + heading + "):", fence) + "\n" + harness);
            List<Map<String, Object>> cases = new ArrayList<>();
            for (Check check : checks) {
                Map<String, String> headers = new TreeMap<>();
                check.request().getHeaders().forEach(h -> headers.put(h.getFirst().toLowerCase(Locale.ROOT),
                        h.getSecond()));
                cases.add(Map.of("secret", check.secret(), "headers", headers,
                        "body", Base64.getEncoder().encodeToString(check.request().getBody().toByteArray())));
            }
            Path input = Files.writeString(dir.resolve("cases.json"), JSON.writeValueAsString(cases));
            Process process = new ProcessBuilder(interpreter, script.toString(), input.toString())
                    .redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(interpreter + " ran the guide's receiver").isTrue();
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
            List<String> lines = out.lines().toList();
            assertThat(lines).as("what the guide's %s receiver printed", heading).hasSize(checks.size())
                    .allMatch(line -> line.equals("True") || line.equals("False"));
            return lines.stream().map("True"::equals).toList();
        }

        private boolean available() {
            try {
                // A shim (pyenv's) may be on the PATH with no interpreter behind it: it answers, but fails.
                Process version = new ProcessBuilder(interpreter, "--version").redirectErrorStream(true).start();
                version.getInputStream().transferTo(OutputStream.nullOutputStream());
                return version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** A request as received, and the secret a receiver checks it with. */
    record Check(String secret, RecordedRequest request) {
    }

    private GuideReceivers() {
    }

    /** The code block of kind {@code fence} that follows {@code lead} in the guide's "Webhook requests" section. */
    static String section(String lead, String fence) throws IOException {
        String guide = Files.readString(GUIDE);
        int start = guide.indexOf("\n## Webhook requests\n");
        String webhooks = guide.substring(start, guide.indexOf("\n## ", start + 1));
        Matcher block = Pattern.compile(Pattern.quote(lead) + "\\s*```" + fence + "\n(.*?)```", Pattern.DOTALL)
                .matcher(webhooks);
        assertThat(block.find()).as("docs/guide.md, Webhook requests: a ```%s block after '%s'", fence, lead).isTrue();
        return block.group(1);
    }
}
