package io.pgobserver.domain.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code tracestate} parsing and formatting as the W3C Trace Context recommendation (level 1) asks. */
class TraceStateTest {

    private static List<String> members(TraceState state) {
        return state.entries().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    private static String members(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "k" + i + "=v" + i).collect(Collectors.joining(","));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "\t", " , ,\t,", ",,,"})
    void absentBlankOrMemberlessHeadersAreEmpty(String header) {
        assertThat(TraceState.parse(header)).isSameAs(TraceState.EMPTY);
        assertThat(TraceState.parse(header).isEmpty()).isTrue();
        assertThat(TraceState.parse(header).format()).isEmpty();
    }

    @Test
    void membersAreKeptInOrderAndFormattedWithoutWhitespace() {
        TraceState state = TraceState.parse("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");

        assertThat(members(state)).containsExactly("rojo=00f067aa0ba902b7", "congo=t61rcWkgMzE");
        assertThat(state.get("congo")).contains("t61rcWkgMzE");
        assertThat(state.get("absent")).isEmpty();
        assertThat(state.format()).isEqualTo("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
        assertThat(state.toString()).isEqualTo(state.format());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a=1,b=2",
        " a=1,b=2",
        "a=1,b=2 ",
        "a=1 , b=2",
        "a=1\t,\tb=2",
        " \t a=1 \t , \t b=2 \t ",
        "a=1,,b=2",
        ",a=1,b=2,",
        "a=1, ,\t,b=2",
        ",,, a=1 ,,, b=2 ,,,",
    })
    void optionalWhitespaceAndEmptyMembersAreIgnored(String header) {
        assertThat(members(TraceState.parse(header))).containsExactly("a=1", "b=2");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a", "z", "abc", "a0", "a_-*/", "a/b*c-d_e", "vendor123",
        "tenant@vendor", "0tenant@vendor", "9@v", "t@v", "t_-*/9@v_-*/9", "a-b@c-d",
    })
    void validKeysAreAccepted(String key) {
        assertThat(TraceState.isValidKey(key)).isTrue();
        assertThat(TraceState.parse(key + "=1").get(key)).contains("1");
    }

    @Test
    void keysReachTheirMaximumLengths() {
        String simple = "a" + "b".repeat(255);
        String tenant = "t".repeat(241) + "@" + "v".repeat(14);

        assertThat(TraceState.isValidKey(simple)).isTrue();
        assertThat(TraceState.isValidKey(simple + "b")).isFalse();
        assertThat(TraceState.isValidKey(tenant)).isTrue();
        assertThat(TraceState.isValidKey("t".repeat(242) + "@v")).as("tenant id over 241").isFalse();
        assertThat(TraceState.isValidKey("t@" + "v".repeat(15))).as("system id over 14").isFalse();
        assertThat(TraceState.parse(simple + "=1," + tenant + "=2").entries()).hasSize(2);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "A", "Rojo", "rOjo", "1a", "_a", "-a", "*a", "/a", "a.b", "a b", "a!", "a:b", "a\u00e9", "\u00e9",
        "@vendor", "tenant@", "tenant@Vendor", "tenant@1vendor", "tenant@_vendor", "Tenant@vendor",
        "_tenant@vendor", "t@v@w", "t@@v", "t.t@v",
    })
    void invalidKeysAreRejected(String key) {
        assertThat(TraceState.isValidKey(key)).isFalse();
        if (key != null) {
            assertThat(TraceState.parse("ok=1," + key + "=2,other=3")).isSameAs(TraceState.EMPTY);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", " 1", "  leading", "in side", "!\"#$%&'()*+-./:;<>?@[\\]^_`{|}~"})
    void validValuesAreAccepted(String value) {
        assertThat(TraceState.isValidValue(value)).isTrue();
        assertThat(TraceState.parse("a=" + value).get("a")).contains(value);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"x ", " ", "x\t", "a=b", "=", "x,y", "\u0007", "x\ty", "x\ny", "\u00e9", "x\u007f", "\u20ac"})
    void invalidValuesAreRejected(String value) {
        assertThat(TraceState.isValidValue(value)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=", "a==", "a=b=c", "a=x\ty", "a=\u0007", "a=\u00e9", "a=x\u007f", "=1", "a", "a 1", "a =1"})
    void aHeaderWithAnInvalidMemberIsDiscardedWhole(String bad) {
        assertThat(TraceState.parse("first=1," + bad + ",last=2")).isSameAs(TraceState.EMPTY);
        assertThat(TraceState.parse(bad)).isSameAs(TraceState.EMPTY);
    }

    @Test
    void aValueWithATrailingSpaceIsInvalidAndTrailingSpacesInAHeaderAreWhitespace() {
        assertThat(TraceState.isValidValue("x ")).isFalse();
        assertThatThrownBy(() -> new TraceState(List.of(Map.entry("a", "x "))))
                .isInstanceOf(IllegalArgumentException.class);

        // In a header, spaces before a comma or at the end are optional whitespace, not part of the value.
        assertThat(members(TraceState.parse("a=x ,b=y  "))).containsExactly("a=x", "b=y");
        // Leading spaces of a value belong to it.
        assertThat(TraceState.parse("a=  x").get("a")).contains("  x");
    }

    @Test
    void valuesAreAtMost256Characters() {
        String longest = "v".repeat(256);

        assertThat(TraceState.parse("a=" + longest).get("a")).contains(longest);
        assertThat(TraceState.parse("a=" + longest + "v,b=1")).isSameAs(TraceState.EMPTY);
        assertThat(TraceState.isValidValue(longest + "v")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=1,a=2", "a=1,b=2,a=1", "t@v=1,b=2,t@v=3", "a=1, a=1"})
    void duplicateKeysDiscardTheHeader(String header) {
        assertThat(TraceState.parse(header)).isSameAs(TraceState.EMPTY);
    }

    @Test
    void multiTenantKeysAreDistinctFromTheirParts() {
        TraceState state = TraceState.parse("tenant@vendor=1,vendor=2,tenant=3,other@vendor=4");

        assertThat(state.get("tenant@vendor")).contains("1");
        assertThat(state.get("vendor")).contains("2");
        assertThat(state.get("tenant")).contains("3");
        assertThat(state.get("other@vendor")).contains("4");
    }

    @Test
    void thirtyTwoMembersAreKept() {
        TraceState state = TraceState.parse(members(1, 32));

        assertThat(state.entries()).hasSize(32);
        assertThat(state.format()).isEqualTo(members(1, 32));
    }

    @Test
    void fortyMembersAreCutToTheFirstThirtyTwoInOrder() {
        TraceState state = TraceState.parse(members(1, 40));

        assertThat(state.entries()).hasSize(TraceState.MAX_MEMBERS);
        assertThat(state.format()).isEqualTo(members(1, 32));
        assertThat(state.get("k32")).contains("v32");
        assertThat(state.get("k33")).isEmpty();
    }

    @Test
    void emptyMembersDoNotCountTowardsTheLimit() {
        String header = IntStream.rangeClosed(1, 32).mapToObj(i -> "k" + i + "=v" + i).collect(Collectors.joining(", ,"));

        assertThat(TraceState.parse(header).format()).isEqualTo(members(1, 32));
    }

    @Test
    void membersBeyondTheLimitAreStillValidated() {
        // The cut keeps the first 32 members only of a header that is valid as a whole.
        assertThat(TraceState.parse(members(1, 35) + ",BAD=1")).isSameAs(TraceState.EMPTY);
        assertThat(TraceState.parse(members(1, 35) + ",k2=again")).isSameAs(TraceState.EMPTY);
    }

    @Test
    void theConstructorValidatesItsEntries() {
        List<Map.Entry<String, String>> tooMany = new ArrayList<>();
        for (int i = 1; i <= 33; i++) {
            tooMany.add(Map.entry("k" + i, "v" + i));
        }

        assertThatThrownBy(() -> new TraceState(tooMany)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new TraceState(tooMany.subList(0, 32)).entries()).hasSize(32);
        assertThatThrownBy(() -> new TraceState(List.of(Map.entry("A", "1"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TraceState(List.of(Map.entry("a", "1,2"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TraceState(List.of(Map.entry("a", "1"), Map.entry("a", "2"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void entriesCannotBeChangedFromOutside() {
        List<Map.Entry<String, String>> source = new ArrayList<>(List.of(Map.entry("a", "1")));
        TraceState state = new TraceState(source);
        source.add(Map.entry("b", "2"));

        assertThat(state.format()).isEqualTo("a=1");
        assertThatThrownBy(() -> state.entries().add(Map.entry("c", "3")))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> TraceState.parse("a=1").entries().clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aMutableEntryCannotChangeAValidatedState() {
        Map.Entry<String, String> entry = new AbstractMap.SimpleEntry<>("a", "1");
        TraceState state = new TraceState(List.of(entry));
        entry.setValue("not,valid");

        assertThat(state.get("a")).contains("1");
        assertThat(state.format()).isEqualTo("a=1");
    }

    @Test
    void formatThenParseIsTheIdentity() {
        TraceState state = TraceState.parse(" t@v= 1 ,\ta=x y, b=!~ ");

        assertThat(state.format()).isEqualTo("t@v= 1,a=x y,b=!~");
        assertThat(TraceState.parse(state.format())).isEqualTo(state);
    }
}
