package dev.directmx.smtp;

import java.util.List;

/**
 * What one SMTP session achieved: a reply for every recipient of the envelope, and how the
 * connection was secured. Transport failures are not results; they are thrown as
 * {@link SmtpIoException}.
 *
 * @param replies one per envelope recipient, in envelope order
 * @param tls the TLS parameters, or {@code null} for a plaintext session
 * @param capabilities what the server announced (after STARTTLS, the second EHLO)
 */
public record SessionResult(List<RecipientReply> replies, TlsInfo tls, Capabilities capabilities) {
    public SessionResult {
        replies = List.copyOf(replies);
    }
}
