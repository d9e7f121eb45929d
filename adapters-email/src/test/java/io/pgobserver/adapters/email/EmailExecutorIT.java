package io.pgobserver.adapters.email;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.DeliveryKey;
import io.pgobserver.domain.port.DoneParts;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.CertificateRefusal;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.testing.RecordingTracer;
import io.pgobserver.domain.testing.TestSpans;
import io.pgobserver.domain.trace.TraceContext;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The email executor against real SMTP servers: GreenMail, and a scripted one for recipient refusals. */
class EmailExecutorIT {

    private static final String PASSWORD = "smtp-password-1234";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path templates;

    private final GreenMail greenMail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    private final RecordingTracer tracer = new RecordingTracer();

    @BeforeEach
    void start() {
        greenMail.setUser("pg-observer@example.com", "observer", PASSWORD);
        greenMail.start();
    }

    @AfterEach
    void stop() {
        greenMail.stop();
    }

    private EmailSettings settings(int port, String user, String password, String security) {
        return new EmailSettings(templates, new EmailSettings.Smtp("127.0.0.1", port, user,
                Secret.ofNullable(password), security, "pg-observer@example.com", Duration.ofSeconds(20)));
    }

    private EmailExecutor executor(String password) {
        return new EmailExecutor(settings(greenMail.getSmtp().getPort(), "observer", password, "none"), CLOCK);
    }

    private static ActionRequest request(EmailAction action) {
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("id", 42);
        after.put("status", "shipped");
        after.put("total", new BigDecimal("150.50"));
        after.put("customer", "Tom & <Jerry>");
        after.put("note", "{{before.status}}");
        ChangeEvent event = Events.event(9, "42", ChangeKind.UPDATED, Map.of("id", 42, "status", "paid"), after);
        return new ActionRequest(event, "order_shipped", action, 2, 1, DeliveryKey.of("it", event, "order_shipped", "a2").id());
    }

    /** The message, once each of its recipients' mailboxes holds a copy. */
    private MimeMessage received(int recipients) {
        assertThat(greenMail.waitForIncomingEmail(30_000, recipients)).as("message arrived").isTrue();
        MimeMessage[] messages = greenMail.getReceivedMessages();
        assertThat(messages).hasSize(recipients);
        return messages[0];
    }

    @Test
    void sendsTheRenderedMessageFromNamedTemplateFiles() throws Exception {
        Files.writeString(templates.resolve("order_shipped.txt"),
                "Order {{after.id}} for {{after.customer}} is {{after.status}} ({{after.total}}). Note: {{after.note}}");
        Files.writeString(templates.resolve("order_shipped.html"),
                "<p>Order <b>{{after.id}}</b> for {{after.customer}}</p><p>{{after.note}}</p>");
        EmailAction action = new EmailAction(List.of("ops@example.com"), List.of("audit@example.com"), null,
                "Order {{after.id}} {{event.kind}}: {{before.status}} -> {{after.status}}", "order_shipped", null, null);
        EmailExecutor executor = executor(PASSWORD);
        executor.validate(action);
        RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, TraceContext.NONE);

        ActionResult result = executor.execute(request(action), span);

        assertThat(result).isInstanceOf(ActionResult.Success.class);
        MimeMessage message = received(2);
        assertThat(message.getSubject()).isEqualTo("Order 42 updated: paid -> shipped");
        assertThat(message.getFrom()[0].toString()).isEqualTo("pg-observer@example.com");
        assertThat(message.getRecipients(Message.RecipientType.TO)[0].toString()).isEqualTo("ops@example.com");
        assertThat(message.getRecipients(Message.RecipientType.CC)[0].toString()).isEqualTo("audit@example.com");
        assertThat(message.getMessageID()).isEqualTo("<" + request(action).deliveryId() + "@pg-observer>");
        MimeMultipart alternative = (MimeMultipart) message.getContent();
        assertThat(alternative.getContentType()).startsWith("multipart/alternative");
        assertThat(GreenMailUtil.getBody(alternative.getBodyPart(0)).strip())
                .isEqualTo("Order 42 for Tom & <Jerry> is shipped (150.50). Note: {{before.status}}");
        assertThat(alternative.getBodyPart(1).getContentType()).startsWith("text/html");
        assertThat(GreenMailUtil.getBody(alternative.getBodyPart(1)).strip())
                .isEqualTo("<p>Order <b>42</b> for Tom &amp; &lt;Jerry&gt;</p><p>{{before.status}}</p>");
        assertThat(span.attributes()).containsEntry("action_type", "email")
                .containsEntry("recipient_count", 2L)
                .containsEntry("template_name", "order_shipped")
                .containsEntry("delivery_status", "delivered");
        assertThat(span.attributes().toString()).doesNotContain(PASSWORD);
    }

    @Test
    void sendsAnInlineTextMessage() throws Exception {
        EmailAction action = new EmailAction(List.of("ops@example.com"), null, "alerts@example.com",
                "Order {{after.id}}", null, "Total: {{after.total}}", null);
        RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, TraceContext.NONE);

        assertThat(executor(PASSWORD).execute(request(action), span)).isInstanceOf(ActionResult.Success.class);

        MimeMessage message = received(1);
        assertThat(message.getSubject()).isEqualTo("Order 42");
        assertThat(message.getFrom()[0].toString()).isEqualTo("alerts@example.com");
        assertThat(message.getContentType()).startsWith("text/plain");
        assertThat(GreenMailUtil.getBody(message).strip()).isEqualTo("Total: 150.50");
        assertThat(span.attributes()).containsEntry("template_name", "inline").containsEntry("recipient_count", 1L);
    }

    @Test
    void theSubjectCanComeFromTheTemplatesSubjectFile() throws Exception {
        Files.writeString(templates.resolve("shipped.subject"), "Shipped: order {{after.id}}\n");
        Files.writeString(templates.resolve("shipped.html"), "<p>{{after.status}}</p>");
        EmailAction action = new EmailAction(List.of("ops@example.com"), null, null, null, "shipped", null, null);

        assertThat(executor(PASSWORD).execute(request(action), TestSpans.NOOP)).isInstanceOf(ActionResult.Success.class);

        MimeMessage message = received(1);
        assertThat(message.getSubject()).isEqualTo("Shipped: order 42");
        assertThat(GreenMailUtil.getBody(message).strip()).isEqualTo("<p>shipped</p>");
    }

    @Test
    void aSubjectCannotInjectHeaders() throws Exception {
        EmailAction action = new EmailAction(List.of("ops@example.com"), null, null,
                "Order {{after.evil}}", null, null, "<p>x</p>");
        Map<String, Object> after = Map.of("evil", "1\r\nBcc: victim@example.com");
        ChangeEvent event = Events.event(1, "1", ChangeKind.CREATED, null, after);
        ActionResult result = executor(PASSWORD).execute(new ActionRequest(event, "o", action, 0, 1, "d"),
                TestSpans.NOOP);

        assertThat(result).isInstanceOf(ActionResult.Success.class);
        MimeMessage message = received(1);
        assertThat(message.getSubject()).isEqualTo("Order 1 Bcc: victim@example.com");
        assertThat(message.getHeader("Bcc")).isNull();
        assertThat(message.getContentType()).startsWith("text/html");
    }

    @Test
    void aRefusedLoginIsAPermanentRejection() {
        EmailAction action = new EmailAction(List.of("ops@example.com"), null, null, "s", null, "t", null);
        RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, TraceContext.NONE);

        ActionResult result = executor("wrong-password-5678").execute(request(action), span);

        assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isTrue();
            assertThat(f.message()).contains("refused the login of user 'observer'", "email.smtp.user")
                    .doesNotContain("wrong-password-5678");
        });
        assertThat(span.attributes()).containsEntry("delivery_status", "rejected");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void aRecipientRefusedWith5xxIsAPermanentRejection() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(
                "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown")) {
            EmailExecutor executor = new EmailExecutor(settings(server.port(), null, null, "none"), CLOCK);
            EmailAction action = new EmailAction(List.of("nobody@example.com"), null, null, "s", null, "t", null);
            RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, TraceContext.NONE);

            ActionResult result = executor.execute(request(action), span);

            assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).isTrue();
                assertThat(f.message()).contains("rejected", "550", "User unknown");
            });
            assertThat(span.attributes()).containsEntry("delivery_status", "rejected");
            assertThat(server.commands()).noneMatch(c -> c.startsWith("DATA"));
        }
    }

    @Test
    void aRecipientDeferredWith4xxIsRetried() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer("451 4.7.1 Greylisted, try again later")) {
            EmailExecutor executor = new EmailExecutor(settings(server.port(), null, null, "none"), CLOCK);
            EmailAction action = new EmailAction(List.of("ops@example.com"), null, null, "s", null, "t", null);
            RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, TraceContext.NONE);

            ActionResult result = executor.execute(request(action), span);

            assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).isFalse();
                assertThat(f.message()).contains("deferred", "451", "Greylisted");
            });
            assertThat(span.attributes()).containsEntry("delivery_status", "failed");
        }
    }

    @Test
    void anUnreachableServerIsTransient() throws IOException {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        EmailExecutor executor = new EmailExecutor(settings(closedPort, null, null, "none"), CLOCK);
        RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, TraceContext.NONE);

        ActionResult result = executor.execute(request(new EmailAction(List.of("ops@example.com"), null, null, "s",
                null, "t", null)), span);

        assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isFalse();
            assertThat(f.message()).contains("SMTP 127.0.0.1:" + closedPort, "cannot be reached");
            // As webhooks name a refused connection: the socket's own exception, not the mail library's wrapper.
            assertThat(f.errorType()).isEqualTo("java.net.ConnectException");
        });
        assertThat(span.attributes()).containsEntry("delivery_status", "failed");
    }

    @Test
    void aServerThatDoesNotAnswerTimesOutWithErrorTypeTimeoutAsWebhooksDo() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(ScriptedSmtpServer.Script.acceptingAll()
                .greeting(null))) {
            EmailSettings silent = new EmailSettings(templates, new EmailSettings.Smtp("127.0.0.1", server.port(),
                    null, null, "none", "pg-observer@example.com", Duration.ofMillis(300)));

            ActionResult result = new EmailExecutor(silent, CLOCK).execute(request(new EmailAction(
                    List.of("ops@example.com"), null, null, "s", null, "t", null)), TestSpans.NOOP);

            assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).isFalse();
                assertThat(f.message()).startsWith("SMTP 127.0.0.1:" + server.port() + " timed out: ");
                assertThat(f.errorType()).isEqualTo("timeout");
            });
        }
    }

    @Test
    void requiredStartTlsNeverFallsBackToPlaintextAndSaysWhatToSet() {
        EmailExecutor executor = new EmailExecutor(settings(greenMail.getSmtp().getPort(), "observer", PASSWORD,
                "starttls"), CLOCK);
        RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, TraceContext.NONE);

        ActionResult result = executor.execute(request(new EmailAction(List.of("ops@example.com"), null, null, "s",
                null, "t", null)), span);

        // A server that offers no STARTTLS does not start to on a retry: dead-lettered at once, the fix named.
        assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isTrue();
            assertThat(f.message()).contains("does not offer STARTTLS, which email.smtp.security: starttls requires",
                    "set security: ssl").doesNotContain(PASSWORD);
        });
        assertThat(span.attributes()).containsEntry("delivery_status", "rejected");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    private static final EmailAction TO_THREE = new EmailAction(List.of("ops@example.com", "bad@example.com"),
            List.of("audit@example.com"), null, "s", null, "t", null);

    /** Jakarta Mail sends to nobody when one recipient is refused, unless told to send to the others. */
    @Test
    void aRecipientRefusedAmongOthersDoesNotKeepTheMailFromThem() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(ScriptedSmtpServer.Script.recipients(address ->
                address.equals("bad@example.com") ? "550 5.1.1 <bad@example.com>: User unknown" : "250 2.1.5 OK"))) {
            EmailExecutor executor = new EmailExecutor(settings(server.port(), null, null, "none"), CLOCK);
            RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, TraceContext.NONE);

            ActionResult result = executor.execute(request(TO_THREE), span);

            assertThat(server.deliveries()).containsExactly(List.of("ops@example.com", "audit@example.com"));
            assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).isTrue();
                assertThat(f.message()).isEqualTo("SMTP 127.0.0.1:" + server.port() + " refused bad@example.com (550 "
                        + "5.1.1 <bad@example.com>: User unknown) (fix or remove the address in the action's to or "
                        + "cc); the mail went to ops@example.com, audit@example.com");
            });
            assertThat(span.attributes()).containsEntry("delivery_status", "rejected");
        }
    }

    /** The letter names both what the server said of a recipient and what it then said of the message. */
    @Test
    void aRecipientRefusedBeforeTheMessageIsDeferredIsNamedWithTheDeferral() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(ScriptedSmtpServer.Script.recipients(address ->
                        address.equals("bad@example.com") ? "550 5.1.1 <bad@example.com>: User unknown"
                                : "250 2.1.5 OK")
                .dataEnd("452 4.3.1 Insufficient system storage"))) {
            EmailExecutor executor = new EmailExecutor(settings(server.port(), null, null, "none"), CLOCK);

            ActionResult result = executor.execute(request(TO_THREE), TestSpans.NOOP);

            assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).isFalse();
                assertThat(f.message()).isEqualTo("SMTP 127.0.0.1:" + server.port() + " refused bad@example.com (550 "
                        + "5.1.1 <bad@example.com>: User unknown) (fix or remove the address in the action's to or "
                        + "cc), and deferred the message: 452 4.3.1 Insufficient system storage");
                assertThat(f.errorType()).isEqualTo("452");
            });
            assertThat(server.deliveries()).isEmpty();
        }
    }

    /** A deferred recipient is retried alone: those the server took the mail for do not get it twice. */
    @Test
    void aRecipientDeferredAmongOthersIsRetriedAloneSoNobodyGetsTheMailTwice() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(ScriptedSmtpServer.Script.recipients(address ->
                address.equals("bad@example.com") && asked.getAndIncrement() == 0
                        ? "452 4.2.2 Mailbox full, try again later" : "250 2.1.5 OK"))) {
            EmailExecutor executor = new EmailExecutor(settings(server.port(), null, null, "none"), CLOCK);
            Set<String> done = ConcurrentHashMap.newKeySet();
            DoneParts parts = doneParts(done);
            ActionRequest first = request(TO_THREE);

            ActionResult deferred = executor.execute(new ActionRequest(first.event(), first.observer(), TO_THREE,
                    first.actionIndex(), 1, first.deliveryId(), false, parts), TestSpans.NOOP);
            ActionResult retried = executor.execute(new ActionRequest(first.event(), first.observer(), TO_THREE,
                    first.actionIndex(), 2, first.deliveryId(), false, parts), TestSpans.NOOP);

            assertThat(deferred).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).isFalse();
                assertThat(f.message()).isEqualTo("SMTP 127.0.0.1:" + server.port() + " deferred bad@example.com (452 "
                        + "4.2.2 Mailbox full, try again later); the mail went to ops@example.com, audit@example.com, "
                        + "and a retry sends it to the others only");
            });
            assertThat(retried).isEqualTo(ActionResult.success("email accepted by SMTP 127.0.0.1:" + server.port()
                    + " for the 1 recipient(s) a former attempt did not reach"));
            assertThat(server.deliveries()).containsExactly(List.of("ops@example.com", "audit@example.com"),
                    List.of("bad@example.com"));
            assertThat(done).containsExactlyInAnyOrder("ops@example.com", "audit@example.com");
        }
    }

    /** What the pipeline hands every attempt of one delivery: the parts its former attempts did, kept in {@code done}. */
    private static DoneParts doneParts(Set<String> done) {
        return new DoneParts() {
            @Override
            public Set<String> of(Collection<String> asked) {
                return asked.stream().filter(done::contains).collect(Collectors.toSet());
            }

            @Override
            public void add(Collection<String> reached) {
                done.addAll(reached);
            }
        };
    }

    /**
     * No answer to the end of the data: the server may have taken the mail or not. Nobody is noted as reached, so the
     * retry sends to every recipient the server had accepted again (at least once, with the same Message-ID).
     */
    @Test
    void aTimeoutAfterTheEndOfTheDataNotesNobodyAsReachedSoTheRetrySendsAgain() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(ScriptedSmtpServer.Script.recipients(address ->
                address.equals("bad@example.com") ? "452 4.2.2 Mailbox full" : "250 2.1.5 OK").dataEnd(null))) {
            EmailSettings slow = new EmailSettings(templates, new EmailSettings.Smtp("127.0.0.1", server.port(),
                    null, null, "none", "pg-observer@example.com", Duration.ofMillis(500)));
            Set<String> done = ConcurrentHashMap.newKeySet();
            ActionRequest first = request(TO_THREE);

            ActionResult result = new EmailExecutor(slow, CLOCK).execute(new ActionRequest(first.event(),
                    first.observer(), TO_THREE, first.actionIndex(), 1, first.deliveryId(), false, doneParts(done)),
                    TestSpans.NOOP);

            assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).isFalse();
                assertThat(f.errorType()).as(f.message()).isEqualTo("timeout");
            });
            assertThat(done).as("recipients noted as reached").isEmpty();
        }
    }

    /** What real servers answer: 4xx retried, 5xx dead-lettered at once, each with the fix when it names one. */
    @Test
    void eachServerReplyIsRetriedOrRefusedWithItsFix() throws Exception {
        ScriptedSmtpServer.Script all = ScriptedSmtpServer.Script.acceptingAll();
        Map<String, ScriptedSmtpServer.Script> retried = new LinkedHashMap<>();
        retried.put("421 greeting", all.greeting("421 4.3.2 Service not available, closing channel"));
        retried.put("421 sender", all.mailFrom("421 4.7.0 Too many connections, closing channel"));
        retried.put("450 recipient", ScriptedSmtpServer.Script.recipients(a -> "450 4.2.1 Mailbox busy"));
        retried.put("451 recipient", ScriptedSmtpServer.Script.recipients(a -> "451 4.7.1 Greylisted"));
        retried.put("452 data", all.dataEnd("452 4.3.1 Insufficient system storage"));
        retried.put("454 login", all.auth("454 4.7.0 Temporary authentication failure"));
        Map<String, ScriptedSmtpServer.Script> refused = new LinkedHashMap<>();
        refused.put("554 ask its administrator", all.greeting("554 5.7.1 Client host rejected: blocked"));
        refused.put("530 set email.smtp.security: starttls", all.mailFrom("530 5.7.0 Must issue a STARTTLS command first"));
        refused.put("530 set email.smtp.user and email.smtp.password",
                all.mailFrom("530 5.7.0 Authentication required"));
        refused.put("535 check email.smtp.user and password", all.auth("535 5.7.8 Authentication credentials invalid"));
        refused.put("551 fix or remove the address", ScriptedSmtpServer.Script.recipients(
                a -> "551 5.1.6 User not local; please try <x@example.org>"));
        refused.put("552 its owner must make room", ScriptedSmtpServer.Script.recipients(a -> "552 5.2.2 Mailbox full"));
        refused.put("553 fix or remove the address in the action's to or cc", ScriptedSmtpServer.Script.recipients(
                a -> "553 5.1.3 Bad recipient address syntax"));
        refused.put("554 does not relay this mail", ScriptedSmtpServer.Script.recipients(
                a -> "554 5.7.1 <ops@example.com>: Relay access denied"));
        refused.put("554 the server's policy refused it", all.dataEnd("554 5.7.1 Message rejected as spam"));
        EmailAction action = new EmailAction(List.of("ops@example.com"), null, null, "s", null, "t", null);

        for (Map.Entry<String, ScriptedSmtpServer.Script> deferred : retried.entrySet()) {
            try (ScriptedSmtpServer server = new ScriptedSmtpServer(deferred.getValue())) {
                ActionResult result = new EmailExecutor(settings(server.port(), "observer", PASSWORD, "none"), CLOCK)
                        .execute(request(action), TestSpans.NOOP);
                assertThat(result).as(deferred.getKey()).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                    assertThat(f.permanent()).as(deferred.getKey() + ": " + f.message()).isFalse();
                    // error.type is the reply code, as webhooks' is the HTTP status.
                    assertThat(f.errorType()).as(f.message()).isEqualTo(deferred.getKey().substring(0, 3));
                });
            }
        }
        for (Map.Entry<String, ScriptedSmtpServer.Script> rejected : refused.entrySet()) {
            try (ScriptedSmtpServer server = new ScriptedSmtpServer(rejected.getValue())) {
                ActionResult result = new EmailExecutor(settings(server.port(), "observer", PASSWORD, "none"), CLOCK)
                        .execute(request(action), TestSpans.NOOP);
                assertThat(result).as(rejected.getKey()).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                    assertThat(f.permanent()).as(f.message()).isTrue();
                    assertThat(f.message()).contains(rejected.getKey().substring(4)).doesNotContain(PASSWORD);
                    assertThat(f.errorType()).as(f.message()).isEqualTo(rejected.getKey().substring(0, 3));
                });
            }
        }
    }

    @Test
    void smtpsVerifiesTheServerCertificate() {
        GreenMail smtps = new GreenMail(ServerSetupTest.SMTPS.dynamicPort());
        smtps.start();
        try {
            EmailExecutor executor = new EmailExecutor(settings(smtps.getSmtps().getPort(), null, null, "ssl"), CLOCK);
            RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, TraceContext.NONE);

            ActionResult result = executor.execute(request(new EmailAction(List.of("ops@example.com"), null, null,
                    "s", null, "t", null)), span);

            // GreenMail's certificate is self-signed: TLS verification must refuse it, and a retry cannot change it.
            assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).isTrue();
                // Said as for webhooks, Slack and Kafka: not retried, and what to change.
                assertThat(f.message()).contains("TLS certificate not accepted (", "); not retried: "
                        + CertificateRefusal.FIX).containsIgnoringCase("certification path");
            });
            assertThat(span.attributes()).containsEntry("delivery_status", "rejected");
            assertThat(smtps.getReceivedMessages()).isEmpty();
        } finally {
            smtps.stop();
        }
    }

    @Test
    void templateProblemsAreBootErrors() throws Exception {
        EmailExecutor executor = executor(PASSWORD);
        assertThatThrownBy(() -> executor.validate(new EmailAction(List.of("a@example.com"), null, null, "s",
                "no_such_template", null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("template 'no_such_template' not found")
                .hasMessageContaining(templates.resolve("no_such_template.txt").toString());
        assertThatThrownBy(() -> executor.validate(new EmailAction(List.of("a@example.com"), null, null, "s",
                "../etc/passwd", null, null)))
                .hasMessageContaining("template name '../etc/passwd' must be");
        Files.writeString(templates.resolve("broken.html"), "{{#after}}never closed");
        assertThatThrownBy(() -> executor.validate(new EmailAction(List.of("a@example.com"), null, null, "s",
                "broken", null, null)))
                .hasMessageContaining("html body (template 'broken') does not compile");
        assertThatThrownBy(() -> executor.validate(new EmailAction(List.of("a@example.com"), null, null,
                "{{#x}}", null, "t", null)))
                .hasMessageContaining("subject template does not compile");
        Files.writeString(templates.resolve("no_subject.txt"), "body");
        assertThatThrownBy(() -> executor.validate(new EmailAction(List.of("a@example.com"), null, null, null,
                "no_subject", null, null)))
                .hasMessageContaining("no subject: set the action's subject or create "
                        + templates.resolve("no_subject.subject"));
    }

    @Test
    void emailWithoutSmtpSettingsIsABootError() {
        EmailExecutor executor = new EmailExecutor(new EmailSettings(null, null), CLOCK);
        assertThatThrownBy(() -> executor.validate(new EmailAction(List.of("a@example.com"), null, null, "s", null,
                "t", null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("set email.smtp");
    }
}
