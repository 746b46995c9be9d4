package dev.directmx.sandbox.smtp;

/**
 * How {@link ScriptedSmtpServer} misbehaves at the transport level, for fault-injection tests of
 * the SMTP client and the delivery engine. Canned replies ({@link ScriptedSmtpServer.Builder#reply})
 * cover failures that SMTP can express; these policies cover the ones it cannot: silence, broken
 * handshakes and dropped connections.
 */
public enum SocketPolicy {
    /** Behave like a well-mannered MTA. */
    NORMAL,

    /**
     * Accept the TCP connection and never send a byte: the client must time out waiting for the
     * greeting. The server reads and discards input until the client hangs up, the idle timeout
     * passes or the server is closed.
     */
    NEVER_GREET,

    /** Send the greeting, then close the connection (the client reads end-of-stream). */
    DISCONNECT_AFTER_GREETING,

    /**
     * Answer the first STARTTLS the server receives with "220 2.0.0 Ready to start TLS", wait for
     * the client's first handshake bytes, answer them with plaintext garbage and close: the client's
     * handshake fails with an {@code SSLException}. Every later STARTTLS, on that connection or any
     * other, works normally, and STARTTLS stays advertised, so a client that falls back to plaintext
     * has to remember the failure itself.
     */
    FAIL_STARTTLS_HANDSHAKE,

    /**
     * After the 354 reply to DATA (or after a BDAT command), read part of the message, then close
     * the connection without replying. Nothing is received.
     */
    DISCONNECT_IN_DATA,

    /**
     * Read the whole message, including the final dot or the BDAT LAST chunk, then never reply.
     * The client must time out waiting for the final reply (RFC 5321 §4.5.3.2.6). The server
     * reads and discards input until the client hangs up, the idle timeout passes or the server is
     * closed, so set the client's timeout below the server's idle timeout. Nothing is received.
     */
    STALL_AFTER_DATA,

    /**
     * Read the whole message, including the final dot or the BDAT LAST chunk, then close the
     * connection without replying: the reply that would tell the client whether the message was
     * delivered never comes, so the client must not assume either way (and must not resend at
     * once on another connection). Nothing is received.
     */
    DISCONNECT_AFTER_DATA,

    /**
     * Serve the first connection normally, then close the listening socket, so that every later
     * connection attempt is refused by the operating system (ECONNREFUSED): a host that went down
     * between two attempts.
     */
    REFUSE_ALL_AFTER_FIRST
}
