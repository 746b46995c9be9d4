package dev.directmx.smtp;

import java.util.ArrayList;
import java.util.List;

/**
 * What was said on one connection, in order: lines the client sent, lines the server sent and
 * events (connect, TLS established, timeouts). The message body is never recorded, only its
 * size. Thread-safe; one instance per connection attempt.
 */
public final class Transcript {

    /** Who produced a line. */
    public enum Source {
        CLIENT("C: "), SERVER("S: "), EVENT("*: ");

        private final String prefix;

        Source(String prefix) {
            this.prefix = prefix;
        }

        public String prefix() {
            return prefix;
        }
    }

    /** One line of the conversation. */
    public record Line(Source source, String text) {
        @Override
        public String toString() {
            return source.prefix() + text;
        }
    }

    private final List<Line> lines = new ArrayList<>();

    public synchronized void client(String text) {
        lines.add(new Line(Source.CLIENT, text));
    }

    public synchronized void server(String text) {
        lines.add(new Line(Source.SERVER, text));
    }

    public synchronized void event(String text) {
        lines.add(new Line(Source.EVENT, text));
    }

    public synchronized List<Line> lines() {
        return List.copyOf(lines);
    }

    /** Each line as {@code "C: EHLO example.com"}, {@code "S: 250 ok"} or {@code "*: event"}. */
    public synchronized List<String> asStrings() {
        return lines.stream().map(Line::toString).toList();
    }
}
