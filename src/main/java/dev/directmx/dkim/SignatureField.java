package dev.directmx.dkim;

import java.util.List;

/**
 * Writes the DKIM-Signature header field, folded so that no line exceeds 78 characters (RFC
 * 5322 §2.1.1). The field is built twice: once with an empty {@code b=} to be hashed, once with
 * the signature. Both share every octet up to {@code b=}, which comes last on its own line, so
 * that removing the signature (RFC 6376 §3.7) gives back exactly what was hashed.
 */
final class SignatureField {

    static final String NAME = "DKIM-Signature";
    private static final int LINE = 76;
    private static final String FOLD = "\r\n\t";

    private SignatureField() {
    }

    /** The field from its name to just after {@code b=}, without a final CRLF. */
    static String unsigned(List<String> tags, List<String> signedHeaders) {
        StringBuilder field = new StringBuilder(NAME).append(':');
        int lineLength = field.length();
        for (String tag : tags) {
            String piece = " " + tag + ";";
            if (lineLength + piece.length() > LINE) {
                field.append(FOLD).append(tag).append(';');
                lineLength = 1 + tag.length() + 1;
            } else {
                field.append(piece);
                lineLength += piece.length();
            }
        }
        // h= may be long: fold it between names (RFC 6376 §3.5 allows FWS around each colon).
        field.append(FOLD).append("h=");
        lineLength = 3;
        for (int i = 0; i < signedHeaders.size(); i++) {
            String name = signedHeaders.get(i) + (i + 1 < signedHeaders.size() ? ":" : ";");
            if (lineLength + name.length() > LINE) {
                field.append(FOLD);
                lineLength = 1;
            }
            field.append(name);
            lineLength += name.length();
        }
        return field.append(FOLD).append("b=").toString();
    }

    /** The whole field: {@code unsigned} with the base64 signature folded after it, and a CRLF. */
    static String signed(String unsigned, String signature) {
        StringBuilder field = new StringBuilder(unsigned);
        int room = LINE - 3;
        int position = 0;
        while (position < signature.length()) {
            int end = Math.min(signature.length(), position + room);
            if (position > 0) {
                field.append(FOLD);
            }
            field.append(signature, position, end);
            position = end;
            room = LINE - 1;
        }
        return field.append("\r\n").toString();
    }
}
