package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.observer.RetryPolicy;
import io.pgobserver.domain.port.CaptureInstaller.Columns;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Which columns the observers name that their tables' events do not carry, said per part of an observer. */
class NamedColumnsTest {

    private static Condition naming(String... columns) {
        return new Condition() {
            @Override
            public boolean matches(ChangeEvent event) {
                return true;
            }

            @Override
            public Set<String> columns() {
                return Set.of(columns);
            }
        };
    }

    private static ActionSpec templated(String type, String... columns) {
        return new ActionSpec() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public String describe() {
                return type;
            }

            @Override
            public Set<String> columns() {
                return Set.of(columns);
            }
        };
    }

    private static Observer observer(String name, String entity, Condition condition, ActionSpec... actions) {
        return new Observer(name, entity, null, "", condition, List.of(actions), RetryPolicy.DEFAULT);
    }

    @Test
    void aMisspeltOrLeftOutColumnIsNamedWithWhereAndWhatItDoes() {
        Map<String, Columns> tables = Map.of("public.users", new Columns(List.of("id", "email", "status", "pw"),
                List.of("pw")));
        List<Observer> observers = List.of(
                observer("signup", "public.users", naming("status", "stauts"),
                        templated("webhook", "id"), templated("slack", "email", "pw", "nmae")),
                observer("fine", "public.users", naming("status"), templated("webhook", "id", "email")),
                observer("elsewhere", "public.gone", naming("whatever"), templated("webhook", "x")));

        assertThat(NamedColumns.warnings(observers, tables)).containsExactly(
                "observers.signup.condition names 'stauts', which public.users has no column of (misspelt, or renamed"
                        + " or dropped?): the condition is false on every row that lacks it, without an error; its"
                        + " columns: id, email, status, pw",
                "observers.signup.actions[1] (slack) names 'nmae', which public.users has no column of (misspelt, or"
                        + " renamed or dropped?): the action's templates render nothing for it (a URL template "
                        + "fails), without an error; its columns: id, email, status, pw",
                "observers.signup.actions[1] (slack) names 'pw', which the capture of public.users leaves out of "
                        + "every event (install --exclude-column): the action's templates render nothing for it (a "
                        + "URL template fails), without an error");
    }

    @Test
    void aLongListOfColumnsIsCut() {
        List<String> many = java.util.stream.IntStream.range(0, 30).mapToObj(i -> "c" + i).toList();
        List<String> lines = NamedColumns.warnings(List.of(observer("o", "public.wide", naming("nope"),
                templated("webhook"))), Map.of("public.wide", new Columns(many, List.of())));
        assertThat(lines).singleElement().asString().endsWith("c18, c19 … (30 in all)");
    }
}
