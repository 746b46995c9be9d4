package dev.directmx.smtp;

import java.io.IOException;

/**
 * Transport trouble during an SMTP session: a refused or reset connection, a timeout, a closed
 * stream, a broken TLS handshake. Always transient for the recipients concerned; the delivery
 * layer moves on to the next route. Carries the stage at which it happened, for the reason text.
 */
public class SmtpIoException extends IOException {
    private final String stage;
    private final boolean timeout;
    private final boolean deadlineReached;

    public SmtpIoException(String stage, String message, boolean timeout, Throwable cause) {
        this(stage, message, timeout, false, cause);
    }

    public SmtpIoException(String stage, String message, boolean timeout, boolean deadlineReached, Throwable cause) {
        super(message, cause);
        this.stage = stage;
        this.timeout = timeout || deadlineReached;
        this.deadlineReached = deadlineReached;
    }

    /** The command or step in progress: {@code connect}, {@code greeting}, {@code DATA}... */
    public String stage() {
        return stage;
    }

    /** Whether a stage timeout or the message deadline ran out. */
    public boolean timeout() {
        return timeout;
    }

    /** Whether it was the whole message's deadline that ran out, not just this stage's timeout. */
    public boolean deadlineReached() {
        return deadlineReached;
    }
}
