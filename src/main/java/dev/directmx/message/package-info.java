/**
 * The message directmx sends: its JSON form, its validation, its addresses and its MIME
 * composition.
 *
 * <p>Flow: {@link dev.directmx.message.MessageRequest#fromJson} reads the JSON (an SQS body)
 * and checks the required fields; {@link dev.directmx.message.MessageComposer#compose}
 * checks everything else and composes the message with Angus Mail into an {@link
 * dev.directmx.message.OutboundMessage}: the envelope (sender, deduplicated recipients
 * grouped by A-label domain) and a {@link dev.directmx.message.ComposedMessage} (octets,
 * Message-ID, 8BITMIME and SMTPUTF8 needs, and a 7-bit form). Every refusal is an {@link
 * dev.directmx.message.InvalidMessageException} naming the field, such as {@code to[1]}.
 *
 * <p>The message carries the header fields the seed lists: MIME-Version, Content-Type,
 * Content-Transfer-Encoding, From, To, Message-ID, Date and Subject, plus Cc and Reply-To
 * when given. Bcc is never written.
 *
 * <h2>Angus Mail settings</h2>
 * <ul>
 *   <li>Session property {@code mail.mime.allowutf8=true}, only for messages whose header
 *       addresses have a non-ASCII local part, whose headers are raw UTF-8 (RFC 6532).
 *       Angus 2.0.3 writes such headers as UTF-8 either way, but reads them back only with
 *       the property, so it marks the intent and a reader must set it too.</li>
 *   <li>No System properties are set: they are global and read once per class. directmx
 *       relies on these defaults: {@code mail.mime.encodeparameters=true} (non-ASCII
 *       attachment names as RFC 2231 {@code filename*=UTF-8''...}), {@code
 *       mail.mime.encodefilename=false} (no RFC 2047 inside parameters, which RFC 2047 §5
 *       forbids) and {@code mail.mime.splitlongparameters=true} (RFC 2231 continuations
 *       for long ASCII names). The charset of encoded names is passed explicitly, so
 *       {@code mail.mime.charset} and the platform charset do not matter.</li>
 *   <li>Address parsing needs no property: Angus's strict parser accepts non-ASCII local
 *       parts and domains; the System property {@code mail.mime.allowutf8} only changes how
 *       {@code InternetAddress} quotes display names.</li>
 * </ul>
 *
 * <h2>Behaviour worth knowing</h2>
 * <ul>
 *   <li>Angus's address parser drops text after a closing {@code >} ({@code "<a@b.com>
 *       x@y.com"} parses as a@b.com); directmx refuses such an entry instead.</li>
 *   <li>Angus parses {@code "bob"} in a list without complaint; each list member is
 *       validated again, and directmx requires a domain with a dot.</li>
 *   <li>{@link java.net.IDN} is IDNA2003: {@code straße.de} becomes {@code strasse.de}
 *       where IDNA2008 would give {@code xn--strae-oqa.de}.</li>
 *   <li>Angus never chooses 8bit; directmx sets Content-Transfer-Encoding itself.</li>
 * </ul>
 */
package dev.directmx.message;
