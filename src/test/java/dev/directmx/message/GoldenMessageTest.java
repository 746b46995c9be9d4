package dev.directmx.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Golden files: a request in {@code NAME.json}, the message it must compose to in {@code
 * NAME.eml}, composed at the seed's time (2023-02-15T19:13:27Z). The files are stored with
 * LF line ends and compared as CRLF. Header order is not compared (Angus orders headers its
 * own way, the seed another); the header set and the body are, with multipart boundaries
 * renamed in order of appearance and runs of white space treated as one.
 *
 * <p>{@code seed.eml} is the seed's "sendable email" with three deliberate differences: the
 * seed's Date says "Sat" but 15 Feb 2023 was a Wednesday; pure-ASCII text is labelled 7bit,
 * not 8BIT (RFC 6152 8bit is for octets over 127); and Angus writes {@code charset=UTF-8}
 * unquoted and spells {@code Message-ID} as RFC 5322 does.
 */
class GoldenMessageTest {

    private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";\\s]+)\"?");

    @Test
    void seedMessageMatchesGoldenFile() throws Exception {
        assertMatchesGolden("seed");
    }

    @Test
    void fullExampleMatchesGoldenFile() throws Exception {
        assertMatchesGolden("full");
    }

    private static void assertMatchesGolden(String name) throws Exception {
        MessageRequest request = MessageRequest.fromJson(resource(name + ".json"));
        String actual = normaliseBoundaries(Mime.string(Mime.compose(request).content().bytes()));
        String expected = normaliseBoundaries(resource(name + ".eml").replace("\r\n", "\n").replace("\n", "\r\n"));

        assertThat(headers(actual)).isEqualTo(headers(expected));
        assertThat(body(actual)).isEqualTo(body(expected));
    }

    /** Header fields by lower-cased name, unfolded, each name's values in order. */
    private static Map<String, List<String>> headers(String message) {
        String block = message.substring(0, message.indexOf("\r\n\r\n")).replaceAll("\r\n[ \t]", " ");
        Map<String, List<String>> headers = new TreeMap<>();
        for (String line : block.split("\r\n")) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).strip().replaceAll("[ \t]+", " "));
        }
        return headers;
    }

    /**
     * The body with trailing white space cut from each line, as DKIM's relaxed body
     * canonicalisation does: Angus folds parameters after "; ", which editors tend to trim
     * from golden files.
     */
    private static String body(String message) {
        return message.substring(message.indexOf("\r\n\r\n") + 4).replaceAll("[ \t]+\r\n", "\r\n");
    }

    private static String normaliseBoundaries(String message) {
        Map<String, String> names = new LinkedHashMap<>();
        Matcher matcher = BOUNDARY.matcher(message);
        while (matcher.find()) {
            names.putIfAbsent(matcher.group(1), "BOUNDARY-" + (names.size() + 1));
        }
        String normalised = message;
        for (Map.Entry<String, String> entry : names.entrySet()) {
            normalised = normalised.replace(entry.getKey(), entry.getValue());
        }
        return normalised;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = GoldenMessageTest.class.getResourceAsStream(name)) {
            assertThat(in).as("resource " + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
