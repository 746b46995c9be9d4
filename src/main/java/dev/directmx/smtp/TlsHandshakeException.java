package dev.directmx.smtp;

/**
 * The TLS handshake after STARTTLS (or on an implicit-TLS port) failed. After a failed STARTTLS
 * the delivery layer may reconnect once in plaintext, as Postfix does, unless policy requires TLS.
 */
public final class TlsHandshakeException extends SmtpIoException {
    public TlsHandshakeException(String stage, String message, Throwable cause) {
        super(stage, message, false, cause);
    }
}
