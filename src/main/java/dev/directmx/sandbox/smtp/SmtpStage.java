package dev.directmx.sandbox.smtp;

/**
 * A point in an SMTP session where {@link ScriptedSmtpServer} sends a reply, so that a test can
 * replace that reply ({@link ScriptedSmtpServer.Builder#reply}) or hold it back
 * ({@link ScriptedSmtpServer.Builder#delay}).
 */
public enum SmtpStage {
    /** The opening 220 (RFC 5321 §4.3.1). */
    GREETING,
    /** The reply to EHLO, normally a multi-line 250 listing the extensions. */
    EHLO,
    /** The reply to HELO. */
    HELO,
    /** The reply to STARTTLS, normally 220 before the handshake (RFC 3207). */
    STARTTLS,
    /** The reply to MAIL FROM. */
    MAIL,
    /** The reply to RCPT TO, unless a per-recipient reply matches the address. */
    RCPT,
    /** The reply to the DATA command itself, normally 354. */
    DATA,
    /** The reply after the final dot of DATA, or after BDAT LAST: the message is accepted only on 2xx. */
    END_OF_DATA,
    /** The reply to a BDAT chunk that is not the LAST one (RFC 3030). */
    BDAT,
    /** The reply to RSET. */
    RSET,
    /** The reply to QUIT, normally 221 before the server closes the connection. */
    QUIT
}
