package dev.directmx.smtp;

/** The reply codes directmx acts on by name (RFC 5321 §4.2.2, §4.2.3). */
public final class SmtpCodes {
    /** Service ready (greeting, and STARTTLS go-ahead). */
    public static final int C220_READY = 220;
    /** Closing transmission channel, the answer to QUIT. */
    public static final int C221_CLOSING = 221;
    /** Requested action okay, completed. */
    public static final int C250_OK = 250;
    /** Start mail input; end with CRLF.CRLF (RFC 5321 §4.1.1.4). */
    public static final int C354_START_INPUT = 354;
    /** Service not available, closing transmission channel: the server is going away. */
    public static final int C421_SERVICE_UNAVAILABLE = 421;
    /** Mailbox unavailable for now, which is what greylisting answers. */
    public static final int C450_MAILBOX_BUSY = 450;
    /** Local error in processing. */
    public static final int C451_LOCAL_ERROR = 451;
    /** Insufficient system storage, or too many recipients (RFC 5321 §4.5.3.1.10). */
    public static final int C452_STORAGE_FULL = 452;
    /** TLS not available due to a temporary reason (RFC 3207 §4). */
    public static final int C454_TLS_UNAVAILABLE = 454;
    /** Command not recognized, e.g. EHLO on an old server. */
    public static final int C500_UNRECOGNIZED = 500;
    /** Command not implemented (RFC 5321 §4.1.4 lets a server refuse EHLO with it). */
    public static final int C502_NOT_IMPLEMENTED = 502;
    /** Mailbox unavailable: user unknown or policy. */
    public static final int C550_MAILBOX_UNAVAILABLE = 550;
    /**
     * Exceeded storage allocation. Historically sent for a full mailbox and as a temporary
     * condition (RFC 5321 §4.5.3.1.10): the seed's own example of a "permanent" error that clears.
     */
    public static final int C552_STORAGE_EXCEEDED = 552;
    /** Mailbox name not allowed; with 5.6.7 it means a UTF-8 address is not accepted (RFC 6531 §3.5). */
    public static final int C553_MAILBOX_NAME = 553;
    /** Transaction failed. */
    public static final int C554_TRANSACTION_FAILED = 554;

    private SmtpCodes() {
    }
}
