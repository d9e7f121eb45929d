package io.pgobserver.adapters.postgres;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class LockHoldersTest {

    @Test
    void hundreds_of_holders_are_named_by_the_first_five_and_a_count() {
        List<String> sessions = IntStream.rangeClosed(1, 300).mapToObj(pid -> "session " + pid + " (idle)").toList();

        assertThat(LockHolders.described(sessions)).isEqualTo("the transactions of session 1 (idle), session 2 "
                + "(idle), session 3 (idle), session 4 (idle), session 5 (idle) and 295 more");
    }

    @Test
    void up_to_five_holders_are_all_named() {
        assertThat(LockHolders.described(List.of("session 7 (active since 01:02:03)", "session 9 (idle)")))
                .isEqualTo("the transactions of session 7 (active since 01:02:03), session 9 (idle)");
        assertThat(LockHolders.described(List.of())).isEqualTo("the transactions using it");
    }
}
