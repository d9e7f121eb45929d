package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.ChangeHistory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replay's pages of change_log end at their bytes as the listener's do, not only at their count: with
 * {@code listener.max_pending_bytes} at 1 MiB a page holds 128 KiB of events, so rows of 40 KB come a few a page
 * though 500 are asked for, and page after page gives each row once, in id order. Rows that cannot be read as
 * events are named in their page and read past.
 */
class ChangeHistoryIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private static final int ROWS = 12;
    private static final ChangeHistory.Stretch ALL = ChangeHistory.Stretch.positions(1, Long.MAX_VALUE);
    private static final ChangeHistory.Stretch ALL_BY_TIME = ChangeHistory.Stretch.between(Instant.EPOCH,
            Instant.parse("2999-01-01T00:00:00Z"));
    private static final ListenerSettings ONE_MIB = new ListenerSettings("it", 500, Duration.ofMillis(200), 16, 1000,
            Duration.ofMillis(200), null, ListenerSettings.PARK_AFTER, 0, ListenerSettings.MIN_PENDING_BYTES);

    /** Twelve rows of about 40 KB of JSON each, and one small row of another entity type between them. */
    @BeforeAll
    static void largeRows() {
        for (int i = 1; i <= ROWS; i++) {
            DB.execute("insert into pgobserver.change_log (entity_type, entity_id, kind, after) "
                    + "values ('public.docs', '" + i + "', 'created', jsonb_build_object('text', repeat('x', 40000)))");
            if (i == 6) {
                DB.execute("insert into pgobserver.change_log (entity_type, entity_id, kind, after) "
                        + "values ('public.other', '1', 'created', '{}')");
            }
        }
    }

    @Test
    void aPageEndsOnceItsEventsHoldAPagesBytesWithTheEventThatFillsIt() {
        PostgresChangeHistory history = new PostgresChangeHistory(DB.database(), ONE_MIB);

        List<ChangeEvent> page = history.read(ALL, "public.docs", 0, 500).events();

        assertThat(page).hasSizeBetween(1, ROWS - 1);
        long bytes = page.stream().mapToLong(ChangeEvent::approximateBytes).sum();
        assertThat(bytes - page.getLast().approximateBytes()).as("the events before the last one")
                .isLessThan(ONE_MIB.pageBytes());
        assertThat(bytes).as("all of the page's events").isGreaterThanOrEqualTo(ONE_MIB.pageBytes());
        assertThat(history.read(ALL, "public.docs", 0, 2).events()).as("and at its count, when that comes first").hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void pageAfterPageGivesEachRowOnceInIdOrder(boolean byTime) {
        PostgresChangeHistory history = new PostgresChangeHistory(DB.database(), ONE_MIB);
        ChangeHistory.Stretch stretch = byTime ? ALL_BY_TIME : ALL;
        List<String> read = new ArrayList<>();
        int pages = 0;
        long after = 0;
        for (ChangeHistory.Page page = history.read(stretch, "public.docs", after, 500); !page.isEmpty();
             page = history.read(stretch, "public.docs", after, 500)) {
            pages++;
            page.events().forEach(e -> read.add(e.entityId()));
            after = page.lastId();
        }
        assertThat(read).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12");
        assertThat(pages).as("pages").isGreaterThan(2);
        assertThat(history.lastId(stretch, "public.docs")).as("the stretch's last id of the table, where a cut "
                + "replay's rest ends").isEqualTo(after);
        assertThat(history.lastId(stretch, "public.none")).as("a table without rows in it").isZero();
    }

    /**
     * Rows PostgreSQL holds but that cannot be read as events (jsonb nested deeper than the observer binds) are named
     * in their page, not a stop, and the page ends past them: also a page made of them alone, and one ending in one.
     */
    @Test
    void rowsThatCannotBeReadAreNamedAndTheReadGoesPastThem() {
        PostgresChangeHistory history = new PostgresChangeHistory(DB.database(), ONE_MIB);
        List<Long> ids = new ArrayList<>();
        for (String label : List.of("before", "deep-1", "deep-2", "deep-3", "after")) {
            String after = label.startsWith("deep") ? "{\"d\": " + "[".repeat(1_500) + "]".repeat(1_500) + "}" : "{}";
            String insert = "insert into pgobserver.change_log (entity_type, entity_id, kind, after) values "
                    + "('public.bad', '" + label + "', 'created', '" + after + "'::jsonb) returning id";
            ids.add(DB.database().jdbi().withHandle(h -> h.createQuery(insert).mapTo(Long.class).one()));
        }
        ChangeHistory.Stretch stretch = ChangeHistory.Stretch.positions(ids.getFirst(), ids.getLast());

        ChangeHistory.Page first = history.read(stretch, "public.bad", 0, 2);
        assertThat(first.events()).extracting(ChangeEvent::entityId).containsExactly("before");
        assertThat(first.unreadable()).extracting(ChangeHistory.Unreadable::id).containsExactly(ids.get(1));
        assertThat(first.unreadable().getFirst().reason()).contains("nesting depth");
        assertThat(first.lastId()).as("past the unreadable row it ends with").isEqualTo(ids.get(1));

        ChangeHistory.Page onlyUnreadable = history.read(stretch, "public.bad", first.lastId(), 2);
        assertThat(onlyUnreadable.events()).isEmpty();
        assertThat(onlyUnreadable.unreadable()).extracting(ChangeHistory.Unreadable::id)
                .containsExactly(ids.get(2), ids.get(3));
        assertThat(onlyUnreadable.lastId()).isEqualTo(ids.get(3));

        ChangeHistory.Page last = history.read(stretch, "public.bad", onlyUnreadable.lastId(), 2);
        assertThat(last.events()).extracting(ChangeEvent::entityId).containsExactly("after");
        assertThat(last.unreadable()).isEmpty();
        ChangeHistory.Page end = history.read(stretch, "public.bad", last.lastId(), 2);
        assertThat(end.isEmpty()).isTrue();
        assertThat(end.lastId()).isEqualTo(last.lastId());
    }
}
