package io.pgobserver.adapters.actions;

import okhttp3.FormBody;
import okio.Buffer;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.Map;

/**
 * A rendered body as an HTML form ({@code application/x-www-form-urlencoded}), for APIs that take form fields rather
 * than JSON (Twilio's Messages, Mailgun, Stripe). Each field's value is sent as text: a number with the digits the
 * row holds, a boolean as {@code true}/{@code false}. A field whose value is null (a column the row lacks, SQL
 * {@code NULL}) is left out, as a form has no null; a list repeats its field once per element.
 */
final class FormFields {

    private FormFields() {
    }

    /**
     * @param what names the action in messages
     * @throws IllegalArgumentException when a field's value is an object (a row image), which a form cannot hold: the
     *                                  event's action fails for good, as a template that fails on it does
     */
    static byte[] encode(String what, Object rendered) {
        FormBody.Builder form = new FormBody.Builder();
        for (Map.Entry<?, ?> field : ((Map<?, ?>) rendered).entrySet()) {
            String name = String.valueOf(field.getKey());
            if (field.getValue() instanceof Collection<?> values) {
                for (Object value : values) {
                    add(form, what, name, value);
                }
            } else {
                add(form, what, name, field.getValue());
            }
        }
        Buffer bytes = new Buffer();
        try {
            form.build().writeTo(bytes);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("an in-memory buffer failed", e); // a Buffer does no I/O
        }
        return bytes.readByteArray();
    }

    private static void add(FormBody.Builder form, String what, String name, Object value) {
        switch (value) {
            case null -> { }
            case Map<?, ?> map -> throw new IllegalArgumentException(what + ": body field '" + name + "' holds an "
                    + "object, which a form field cannot: name one of its values, such as {{after.id}}, or send "
                    + "the body as JSON (body_format: json)");
            case Collection<?> list -> throw new IllegalArgumentException(what + ": body field '" + name
                    + "' holds a list of lists, which a form field cannot");
            case BigDecimal decimal -> form.add(name, decimal.toPlainString());
            default -> form.add(name, String.valueOf(value));
        }
    }
}
