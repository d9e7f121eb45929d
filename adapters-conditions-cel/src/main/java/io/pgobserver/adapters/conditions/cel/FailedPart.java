package io.pgobserver.adapters.conditions.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.values.NullValue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the columns at the part of a condition that failed held, and how to write the condition for them. CEL names
 * only its function ({@code '_>_'}) and the types it had overloads for; the dead letter should say that
 * {@code after.total} was a SQL NULL in this row, or that {@code after.amount} held the text {@code 'NaN'}, since the
 * same condition works on the rows before it.
 */
final class FailedPart {

    private static final Set<String> READERS = Set.of("timestamp", "duration");
    private static final Set<String> NOT_A_NUMBER = Set.of("NaN", "Infinity", "-Infinity");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d\\d-\\d\\d");
    private static final Pattern ZONED_TIMESTAMP =
            Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?([+-]\\d\\d:\\d\\d|Z)");
    private static final Pattern LOCAL_TIMESTAMP =
            Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?");

    private FailedPart() {
    }

    /**
     * @param offset the code point CEL's error points at (a call's operator or parenthesis)
     * @param mismatch whether CEL found no overload for the values (else only text that {@code timestamp()} or
     *                 {@code duration()} could not read is explained: a division by zero is no column's fault)
     * @return a sentence or two to append to CEL's message, or "" when no column of the row is at that part
     */
    static String explain(CelAbstractSyntaxTree ast, int offset, boolean mismatch, Map<String, Object> variables) {
        Map<Long, Integer> positions = ast.getSource().getPositionsMap();
        try {
            Optional<CelExpr> call = CelNavigableAst.fromAst(ast).getRoot().allNodes()
                    .map(CelNavigableExpr::expr)
                    .filter(e -> e.getKind() == CelExpr.ExprKind.Kind.CALL
                            && Integer.valueOf(offset).equals(positions.get(e.id())))
                    .findFirst();
            return call.filter(c -> mismatch || READERS.contains(c.call().function()))
                    .map(c -> explain(c.call().function(), operands(c), variables)).orElse("");
        } catch (RuntimeException e) {
            // The explanation only adds to CEL's own message: it must never be why the event's error is lost.
            return "";
        }
    }

    /**
     * CEL's own message without the row's text values it quotes ({@code Text '2026-01-02T03:04:05' could not be
     * parsed}, a conversion's input): that message goes to the dead letter, the log and the span's error, where row
     * values must not go. Each quoted occurrence of a text the row holds becomes {@code '…'}.
     */
    static String withoutRowValues(String message, Map<String, Object> variables) {
        Set<String> texts = new HashSet<>();
        collectTexts(variables, texts);
        String cleaned = message;
        for (String text : texts) {
            cleaned = cleaned.replace("'" + text + "'", "'…'").replace("\"" + text + "\"", "\"…\"");
        }
        return cleaned;
    }

    private static void collectTexts(Object value, Set<String> texts) {
        switch (value) {
            case String text when !text.isEmpty() -> texts.add(text);
            case Map<?, ?> map -> map.values().forEach(v -> collectTexts(v, texts));
            case List<?> list -> list.forEach(v -> collectTexts(v, texts));
            case null, default -> { }
        }
    }

    /** For a condition that gave null, such as {@code before.active} on a SQL NULL. */
    static String explainNull(CelAbstractSyntaxTree ast, Map<String, Object> variables) {
        String path = path(ast.getExpr());
        return path == null ? "" : ": " + path + " is " + describe(lookup(path, variables)) + "; compare it, such as "
                + path + " == true";
    }

    private static List<CelExpr> operands(CelExpr call) {
        List<CelExpr> operands = new ArrayList<>();
        call.call().target().ifPresent(operands::add);
        operands.addAll(call.call().args());
        return operands;
    }

    private static String explain(String function, List<CelExpr> operands, Map<String, Object> variables) {
        List<String> said = new ArrayList<>();
        String hint = "";
        for (CelExpr operand : operands) {
            String path = path(operand);
            if (path == null) {
                continue;
            }
            Object value = lookup(path, variables);
            said.add(path + " is " + describe(value));
            if (hint.isEmpty()) {
                hint = hint(function, path, value);
            }
        }
        if (said.isEmpty()) {
            return "";
        }
        return ": " + String.join(", ", said) + (hint.isEmpty() ? "" : "; " + hint);
    }

    private static String hint(String function, String path, Object value) {
        if (value == NullValue.NULL_VALUE) {
            return "it is NULL in this row: write " + path + " != null && … to leave such rows out";
        }
        if (value instanceof String text) {
            if (NOT_A_NUMBER.contains(text)) {
                return "NaN and ±Infinity of numeric, real and double precision columns are text: compare double("
                        + path + "), which reads them too (double('NaN') > 100.0 is false)";
            }
            // A time compared with a timestamp() fails as text does; a date or timestamp is also not one to read.
            if (DATE.matcher(text).matches()) {
                return "a date is text without a time or an offset: write timestamp(" + path + " + 'T00:00:00Z'), "
                        + "or compare the text (" + path + " >= '2026-01-01')";
            }
            if (LOCAL_TIMESTAMP.matcher(text).matches()) {
                return "a timestamp without time zone is text without an offset: write timestamp(" + path
                        + " + 'Z') to read it as UTC, or compare the text (" + path + " >= '2026-01-01T00:00:00')";
            }
            if (!function.equals("timestamp") && ZONED_TIMESTAMP.matcher(text).matches()) {
                return "a timestamptz is text with the writer's offset: compare it as a time, timestamp(" + path
                        + ")";
            }
            if (text.endsWith("infinity")) {
                return "an infinite date or timestamp has no time: leave it out with " + path + " != '" + text + "'";
            }
            if (function.equals("duration")) {
                return "an interval is PostgreSQL's text, which duration() does not read: compare a generated "
                        + "column of its seconds (extract(epoch from …)) instead";
            }
            return "this column is text (money, an enum, a time, or a type without a JSON form): compare it with text,"
                    + " or keep what you compare as a number in a numeric column";
        }
        return "";
    }

    /** {@code after.payload.items} for a chain of fields on {@code event}, {@code before} or {@code after}. */
    private static String path(CelExpr expr) {
        if (expr.getKind() == CelExpr.ExprKind.Kind.IDENT) {
            String name = expr.ident().name();
            return name.equals(CelActivation.AFTER) || name.equals(CelActivation.BEFORE)
                    || name.equals(CelActivation.EVENT) ? name : null;
        }
        if (expr.getKind() == CelExpr.ExprKind.Kind.SELECT && !expr.select().testOnly()) {
            String operand = path(expr.select().operand());
            return operand == null ? null : operand + "." + expr.select().field();
        }
        return null;
    }

    private static Object lookup(String path, Map<String, Object> variables) {
        Object value = variables;
        for (String field : path.split("\\.")) {
            if (!(value instanceof Map<?, ?> map)) {
                return null;
            }
            value = map.get(field);
        }
        return value;
    }

    /**
     * The value's kind, never the value itself: this message goes to the dead letter, the log and the span's error,
     * where row values (personal data, as likely as not) must not go. Only PostgreSQL's own tokens (NaN, infinity)
     * are quoted, since they say what the column held without telling anything of the row.
     */
    private static String describe(Object value) {
        return switch (value) {
            case null -> "missing";
            case NullValue ignored -> "null";
            case String text when NOT_A_NUMBER.contains(text) || text.endsWith("infinity") -> "the text '" + text + "'";
            case String text -> "text (" + text.length() + " characters)";
            case Long ignored -> "an integer";
            case Double ignored -> "a double";
            case Boolean ignored -> "a boolean";
            case Map<?, ?> ignored -> "an object";
            case List<?> ignored -> "a list";
            default -> "a " + value.getClass().getSimpleName();
        };
    }
}
