package dev.directmx.delivery;

import java.util.List;

/**
 * One SMTP session attempted during a delivery run, for the annotated output and the results.
 *
 * @param domain the recipient domain being served
 * @param route the route tried
 * @param transcript the conversation ({@code C: }, {@code S: } and {@code *: } lines; no body)
 * @param summary one sentence on how it ended
 */
public record SessionLog(String domain, Route route, List<String> transcript, String summary) {
    public SessionLog {
        transcript = List.copyOf(transcript);
    }
}
