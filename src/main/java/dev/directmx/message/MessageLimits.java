package dev.directmx.message;

/**
 * Limits a message must stay within to be composed; one instance per composer.
 *
 * @param maxRecipients the most distinct recipients (to, cc and bcc together) one message
 *     may have. The default, 1000, is Postfix's {@code smtpd_recipient_limit}: a receiving
 *     server may refuse more in one transaction, and a list that long is a mailing list
 *     that deserves its own tool.
 * @param maxMessageBytes the largest composed message in octets, headers and encoded
 *     attachments included. The default, 25 MiB, is what large providers (Gmail,
 *     Outlook.com) accept; a larger message would be refused at the SIZE check anyway.
 */
public record MessageLimits(int maxRecipients, long maxMessageBytes) {

    /** See {@link #maxRecipients()}. */
    public static final int DEFAULT_MAX_RECIPIENTS = 1000;

    /** See {@link #maxMessageBytes()}. */
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 25L * 1024 * 1024;

    /** The smallest useful limit: headers alone take a few hundred octets. */
    static final long MIN_MESSAGE_BYTES = 1024;

    public MessageLimits {
        if (maxRecipients < 1) {
            throw new IllegalArgumentException("maxRecipients must be at least 1, was " + maxRecipients);
        }
        if (maxMessageBytes < MIN_MESSAGE_BYTES) {
            throw new IllegalArgumentException("maxMessageBytes must be at least " + MIN_MESSAGE_BYTES
                    + ", was " + maxMessageBytes);
        }
    }

    /** 1000 recipients, 25 MiB. */
    public static MessageLimits defaults() {
        return new MessageLimits(DEFAULT_MAX_RECIPIENTS, DEFAULT_MAX_MESSAGE_BYTES);
    }
}
