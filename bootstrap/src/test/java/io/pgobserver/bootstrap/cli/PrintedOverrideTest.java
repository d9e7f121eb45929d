package io.pgobserver.bootstrap.cli;

import io.pgobserver.domain.event.ShellWord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class PrintedOverrideTest {

    @ParameterizedTest
    @CsvSource(delimiterString = "|", quoteCharacter = '"', textBlock = """
            database.password=hunter2                                       | 'database.password=<secret: give it again>'
            console.token=0123456789abcdef0123                              | 'console.token=<secret: give it again>'
            email.smtp.password=pw                                          | 'email.smtp.password=<secret: give it again>'
            observers.shipped.actions[0].secret=s3cr3t                      | 'observers.shipped.actions[0].secret=<secret: give it again>'
            observers.shipped.actions[1].webhook_url=https://hooks/T0/B0/x  | 'observers.shipped.actions[1].webhook_url=<secret: give it again>'
            kafka.properties.sasl.jaas.config=x                             | 'kafka.properties.sasl.jaas.config=<secret: give it again>'
            database.url=jdbc:postgresql://db/app?user=app&password=pw      | 'database.url=<secret: give it again>'
            observers.o.actions[0].url=https://user:pw@hooks.example/h      | 'observers.o.actions[0].url=<secret: give it again>'
            """)
    void aSecretsValueIsNotRepeated(String override, String printed) {
        assertThat(ShellWord.of(PrintedOverride.of(override))).isEqualTo(printed).doesNotContain(override.split("=", 2)[1]);
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "|", quoteCharacter = '"', textBlock = """
            actions.read_timeout=5m                           | actions.read_timeout=5m
            database.url=jdbc:postgresql://db:5432/app        | database.url=jdbc:postgresql://db:5432/app
            observers.o.actions[0].url=https://hooks.example/h | 'observers.o.actions[0].url=https://hooks.example/h'
            tracing.exporter=zipkin                           | tracing.exporter=zipkin
            """)
    void everyOtherValueIsRepeatedWordForWord(String override, String printed) {
        assertThat(ShellWord.of(PrintedOverride.of(override))).isEqualTo(printed);
    }
}
