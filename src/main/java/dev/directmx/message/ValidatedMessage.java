package dev.directmx.message;

import java.util.List;

/**
 * A request that passed every check, with its addresses parsed and its attachments
 * decoded: what the header builder and the renderer work from.
 *
 * @param to the To entries as written, for the header (groups kept)
 * @param cc the Cc entries as written
 * @param replyTo the Reply-To entries as written
 * @param recipients to, cc and bcc mailboxes, deduplicated, for the envelope
 * @param utf8Headers a header address has a non-ASCII local part, so the headers are
 *     written in UTF-8 (RFC 6532) and the message cannot go without SMTPUTF8
 * @param needsSmtpUtf8 {@code utf8Headers}, or an envelope address has a non-ASCII local part
 */
record ValidatedMessage(
        MessageRequest request,
        Mailbox sender,
        Mailbox envelopeFrom,
        List<Addresses.Entry> to,
        List<Addresses.Entry> cc,
        List<Addresses.Entry> replyTo,
        List<Mailbox> recipients,
        TextBody text,
        TextBody html,
        List<DecodedAttachment> attachments,
        boolean utf8Headers,
        boolean needsSmtpUtf8) {

    /** An attachment with its content decoded and its content type checked. */
    record DecodedAttachment(String filename, String contentType, byte[] content) {
    }
}
