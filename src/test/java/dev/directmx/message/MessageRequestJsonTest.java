package dev.directmx.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MessageRequestJsonTest {

    private static final String FULL = """
            {
              "id": "optional-client-key-123",
              "from": "Sender Name <sender@example.com>",
              "envelopeFrom": "bounces@example.com",
              "to": ["recipient@example.net", "Name <other@example.net>"],
              "cc": [], "bcc": [],
              "replyTo": ["help@example.com"],
              "subject": "This is a sendable email",
              "text": "Hi there,\\nDid it hit the Spam folder?",
              "html": "<p>Hi there,<br>Did it hit the Spam folder?</p>",
              "headers": {"List-Unsubscribe": "<mailto:unsub@example.com>", "X-A": "1"},
              "attachments": [{"filename": "a.pdf", "contentType": "application/pdf", "content": "JVBERi0="}]
            }
            """;

    @Test
    void readsEveryField() throws Exception {
        MessageRequest request = MessageRequest.fromJson(FULL);

        assertThat(request.id()).isEqualTo("optional-client-key-123");
        assertThat(request.from()).isEqualTo("Sender Name <sender@example.com>");
        assertThat(request.envelopeFrom()).isEqualTo("bounces@example.com");
        assertThat(request.to()).containsExactly("recipient@example.net", "Name <other@example.net>");
        assertThat(request.cc()).isEmpty();
        assertThat(request.replyTo()).containsExactly("help@example.com");
        assertThat(request.text()).isEqualTo("Hi there,\nDid it hit the Spam folder?");
        assertThat(request.headers()).containsExactly(
                java.util.Map.entry("List-Unsubscribe", "<mailto:unsub@example.com>"), java.util.Map.entry("X-A", "1"));
        assertThat(request.attachments()).containsExactly(new Attachment("a.pdf", "application/pdf", "JVBERi0="));
    }

    @Test
    void singleStringStandsForAList() throws Exception {
        MessageRequest request = MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "replyTo": "c@example.com",
                 "subject": "", "text": "x"}""");

        assertThat(request.to()).containsExactly("b@example.net");
        assertThat(request.replyTo()).containsExactly("c@example.com");
    }

    @Test
    void toJsonRoundTripsAndLeavesOutEmptyFields() throws Exception {
        MessageRequest request = MessageRequest.fromJson(FULL);

        String json = request.toJson();

        assertThat(MessageRequest.fromJson(json)).isEqualTo(request);
        assertThat(json).doesNotContain("\"cc\"").doesNotContain("\"bcc\"")
                .startsWith("{\"id\":\"optional-client-key-123\",\"from\":");
    }

    @Test
    void canonicalJsonIgnoresHowListsWereWritten() throws Exception {
        MessageRequest single = MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "subject": "s", "text": "x"}""");
        MessageRequest list = MessageRequest.fromJson("""
                {"text": "x", "cc": [], "subject": "s", "to": ["b@example.net"], "from": "a@example.com"}""");

        assertThat(single.toJson()).isEqualTo(list.toJson());
    }

    @Test
    void emptySubjectIsKeptInJson() throws Exception {
        MessageRequest request = RequestBuilder.seed().subject("").build();

        assertThat(MessageRequest.fromJson(request.toJson()).subject()).isEmpty();
    }

    @Test
    void unknownFieldIsRejectedNamingIt() {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "subjekt": "s", "text": "x"}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.field()).isEqualTo("subjekt");
                    assertThat(e.getMessage()).startsWith("subjekt: is not a known field at line 1, column ")
                            .contains("known fields: id, from, envelopeFrom, to, cc, bcc, replyTo, subject");
                });
    }

    @Test
    void unknownAttachmentFieldIsRejectedWithItsPath() {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "subject": "s",
                 "attachments": [{"filename": "a", "content": "", "mimeType": "text/plain"}]}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.field()).isEqualTo("attachments[0].mimeType");
                    assertThat(e.getMessage()).contains("line 2").contains("filename, contentType, content");
                });
    }

    @Test
    void wrongTypeIsRejectedNamingFieldAndPosition() {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com",
                 "to": ["b@example.net", {"address": "c@example.net"}], "subject": "s", "text": "x"}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.field()).isEqualTo("to[1]");
                    assertThat(e.getMessage()).startsWith("to[1]: has the wrong type at line 2, column ")
                            .endsWith("expected a string");
                });
    }

    @Test
    void numberIsNotTakenForText() {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "subject": 42, "text": "x"}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("subject"));
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "subject": "s", "text": "x",
                 "headers": {"X-Flag": true}}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class,
                        e -> assertThat(e.field()).isEqualTo("headers.X-Flag"));
    }

    @Test
    void headersMustBeAnObject() {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "subject": "s", "text": "x",
                 "headers": ["X-A: 1"]}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.field()).isEqualTo("headers");
                    assertThat(e.getMessage()).contains("expected an object mapping header names to string values");
                });
    }

    @Test
    void missingFromIsRejected() {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"to": "b@example.net", "subject": "s", "text": "x"}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.field()).isEqualTo("from");
                    assertThat(e.getMessage()).isEqualTo(
                            "from: is missing; give the sender as local@domain or Name <local@domain>");
                });
    }

    @Test
    void missingSubjectIsRejectedButEmptyIsAllowed() throws Exception {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "text": "x"}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("subject"));
        assertThat(MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "subject": "", "text": "x"}""").subject()).isEmpty();
    }

    @Test
    void messageWithoutRecipientsIsRejected() {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com", "to": [], "subject": "s", "text": "x"}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.field()).isEqualTo("to");
                    assertThat(e.getMessage()).contains("to, cc or bcc");
                });
    }

    @Test
    void messageWithoutBodyIsRejected() {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "subject": "s"}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.field()).isEqualTo("text");
                    assertThat(e.getMessage()).contains("text, html or at least one attachment");
                });
    }

    @Test
    void syntaxErrorNamesFieldAndPosition() {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com",
                 "to": ["b@example.net", ], "subject": "s", "text": "x"}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.field()).isEqualTo("to[1]");
                    assertThat(e.getMessage()).startsWith("to[1]: is not valid JSON at line 2, column ");
                });
    }

    @Test
    void duplicateFieldIsRejected() {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "subject": "s", "subject": "t", "text": "x"}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.field()).isEqualTo("subject");
                    assertThat(e.getMessage()).contains("Duplicate field 'subject'");
                });
    }

    @Test
    void trailingContentIsRejected() {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "subject": "s", "text": "x"} {}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("message"));
    }

    @Test
    void emptyNullAndNonObjectBodiesAreRejected() {
        for (String json : List.of("", "null", "[]", "\"text\"")) {
            assertThatThrownBy(() -> MessageRequest.fromJson(json))
                    .as(json)
                    .isInstanceOfSatisfying(InvalidMessageException.class,
                            e -> assertThat(e.field()).isEqualTo("message"));
        }
    }

    @Test
    void aSingleAttachmentObjectStandsForAList() throws Exception {
        MessageRequest request = MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "subject": "s",
                 "attachments": {"filename": "a.txt", "contentType": "text/plain", "content": "aGk="}}""");

        assertThat(request.attachments()).containsExactly(new Attachment("a.txt", "text/plain", "aGk="));
    }

    @Test
    void jsonNullStandsForAnAbsentField() throws Exception {
        MessageRequest request = MessageRequest.fromJson("""
                {"id": null, "from": "a@example.com", "to": "b@example.net", "cc": null, "subject": "s",
                 "text": "x", "html": null, "headers": null, "attachments": null}""");

        assertThat(request).isEqualTo(MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "subject": "s", "text": "x"}"""));
    }

    @Test
    void nullListElementsAreKeptForTheValidatorToNameByIndex() throws Exception {
        MessageRequest request = MessageJson.read("""
                {"from": "a@example.com", "to": ["b@example.net", null], "subject": "s", "text": "x",
                 "attachments": [null]}""");

        assertThat(request.to()).containsExactly("b@example.net", null);
        assertThat(request.attachments()).containsExactly((Attachment) null);
    }

    @Test
    void aNumberWhereAddressesBelongIsRejectedNamingTheList() {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com", "to": 42, "subject": "s", "text": "x"}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.field()).isEqualTo("to");
                    assertThat(e.getMessage()).isEqualTo(
                            "to: has the wrong type at line 1, column 33: expected an address or a list of addresses");
                });
    }

    @Test
    void aNonObjectAttachmentIsRejectedWithItsIndex() {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "subject": "s", "attachments": [{"content": ""}, "a.pdf"]}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.field()).isEqualTo("attachments[1]");
                    assertThat(e.getMessage()).endsWith("expected an object with filename, contentType and content");
                });
    }

    @Test
    void aDuplicateHeaderNameIsRejectedWithItsPath() {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "subject": "s", "text": "x",
                 "headers": {"X-A": "1", "X-A": "2"}}"""))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.field()).isEqualTo("headers.X-A");
                    assertThat(e.getMessage()).contains("Duplicate field 'X-A'").contains("line 2");
                });
    }

    @Test
    void trailingContentIsNamedWithItsPosition() {
        assertThatThrownBy(() -> MessageRequest.fromJson("""
                {"from": "a@example.com", "to": "b@example.net", "subject": "s", "text": "x"} {}"""))
                .hasMessage("message: has more after the JSON object at line 1, column 79; send exactly one JSON object");
    }

    @Test
    void canonicalJsonKeepsNullsInListsAndHeadersAndRoundTrips() throws Exception {
        MessageRequest request = new MessageRequest(null, "a@example.com", null, java.util.Arrays.asList("b@example.net", null),
                List.of(), List.of(), List.of(), "s", "x", null, java.util.Collections.singletonMap("X-A", null),
                java.util.Arrays.asList(new Attachment("a", null, "aGk="), null));

        String json = request.toJson();

        assertThat(json).isEqualTo("{\"from\":\"a@example.com\",\"to\":[\"b@example.net\",null],\"subject\":\"s\","
                + "\"text\":\"x\",\"headers\":{\"X-A\":null},\"attachments\":[{\"filename\":\"a\",\"content\":\"aGk=\"},null]}");
        assertThat(MessageJson.read(json)).isEqualTo(request);
    }
}
