package dev.directmx.sandbox.smtp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One message that {@link ScriptedSmtpServer} accepted: the END_OF_DATA reply was 2xx.
 *
 * @param mailFrom the reverse-path inside the angle brackets of MAIL FROM, empty for the null
 *     reverse-path {@code <>}
 * @param mailParameters the MAIL FROM parameters as sent, e.g. {@code BODY=8BITMIME},
 *     {@code SMTPUTF8}, {@code SIZE=123}
 * @param recipients the forward-paths (inside the angle brackets) of the RCPT commands that got a
 *     2xx reply, in order; rejected recipients are not listed
 * @param data the message exactly as the client meant it: dot-stuffing undone (RFC 5321 §4.5.2),
 *     CRLF line ends, without the terminating dot; for BDAT, the chunks joined as sent
 * @param tls whether the message travelled over TLS (STARTTLS or implicit TLS)
 * @param tlsProtocol the negotiated protocol such as {@code TLSv1.3}, or {@code null} without TLS
 * @param viaBdat whether the message came in BDAT chunks (RFC 3030) rather than DATA
 * @param usedHelo whether the client greeted with HELO rather than EHLO
 */
public record ReceivedMessage(
        String mailFrom,
        List<String> mailParameters,
        List<String> recipients,
        byte[] data,
        boolean tls,
        String tlsProtocol,
        boolean viaBdat,
        boolean usedHelo) {

    public ReceivedMessage {
        Objects.requireNonNull(mailFrom, "mailFrom");
        mailParameters = List.copyOf(mailParameters);
        recipients = List.copyOf(recipients);
        data = data.clone();
    }

    /** Returns a copy of the message bytes, so that callers cannot change the record. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** Returns the message decoded as UTF-8, convenient for assertions on text messages. */
    public String text() {
        return new String(data, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ReceivedMessage that
                && mailFrom.equals(that.mailFrom)
                && mailParameters.equals(that.mailParameters)
                && recipients.equals(that.recipients)
                && Arrays.equals(data, that.data)
                && tls == that.tls
                && Objects.equals(tlsProtocol, that.tlsProtocol)
                && viaBdat == that.viaBdat
                && usedHelo == that.usedHelo;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                mailFrom, mailParameters, recipients, Arrays.hashCode(data), tls, tlsProtocol, viaBdat,
                usedHelo);
    }

    @Override
    public String toString() {
        return "ReceivedMessage[mailFrom=" + mailFrom + ", mailParameters=" + mailParameters
                + ", recipients=" + recipients + ", data=" + data.length + " octets, tls=" + tls
                + ", tlsProtocol=" + tlsProtocol + ", viaBdat=" + viaBdat + ", usedHelo=" + usedHelo + "]";
    }
}
