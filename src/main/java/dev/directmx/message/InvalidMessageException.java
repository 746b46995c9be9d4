package dev.directmx.message;

import java.util.Objects;

/**
 * A message request that directmx refuses to send: bad JSON, a bad address, header
 * injection, a missing field or a message over a limit.
 *
 * <p>The message is a full sentence that starts with the {@linkplain #field() field} at
 * fault, quotes the value and says what to do, for example {@code "to[0]:
 * 'because@i-can@example.com' is not a valid address (Angus: Domain contains illegal
 * character); write it as local@domain or Name <local@domain>"}. Such a message is
 * permanent: retrying it cannot help, so callers record it as rejected.
 */
public final class InvalidMessageException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * @param field the JSON path of the field at fault, such as {@code "to[1]"},
     *     {@code "headers.X-Foo"}, {@code "attachments[0].content"}, or {@code "message"}
     *     when the fault is the message as a whole
     * @param problem what is wrong and what to do, without the field prefix
     */
    public InvalidMessageException(String field, String problem) {
        this(field, problem, null);
    }

    /** As {@link #InvalidMessageException(String, String)}, keeping the parser's exception. */
    public InvalidMessageException(String field, String problem, Throwable cause) {
        super(Objects.requireNonNull(field, "field") + ": " + Objects.requireNonNull(problem, "problem"), cause);
        this.field = field;
    }

    /** The JSON path of the field at fault, for example {@code "to[1]"} or {@code "subject"}. */
    public String field() {
        return field;
    }
}
