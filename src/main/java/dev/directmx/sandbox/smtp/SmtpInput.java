package dev.directmx.sandbox.smtp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The bytes a client sends, read through one buffer so that pipelined commands (RFC 2920) and the
 * message data that follows DATA or BDAT come from the same place. Works on octets, never chars:
 * BDAT counts octets and message data need not be valid in any charset.
 *
 * <p>One instance per transport: after STARTTLS the session makes a new one over the TLS stream
 * and {@link #discardBuffered() drops} whatever plaintext was pipelined behind the command.
 */
final class SmtpInput {

    /**
     * One line without its terminator.
     *
     * @param bytes the line's octets without CR LF, truncated when {@code tooLong}
     * @param octets how many octets the line took on the wire, terminator included
     * @param tooLong whether the line was longer than the limit the caller passed
     */
    record Line(byte[] bytes, long octets, boolean tooLong) {

        boolean isDot() {
            return bytes.length == 1 && bytes[0] == '.';
        }
    }

    private final InputStream in;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;

    SmtpInput(InputStream in) {
        this.in = in;
    }

    /**
     * Reads up to the next LF. A CR before the LF is dropped; a bare LF is accepted as a line end,
     * leniently. Octets beyond {@code maxOctets} (counting CR LF) are consumed but not kept.
     *
     * @return the line, or {@code null} if the stream ends first (a partial line is dropped)
     */
    Line readLine(int maxOctets) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        long octets = 0;
        while (true) {
            if (position == limit && !fill()) {
                return null;
            }
            int end = indexOfLf();
            int stop = end < 0 ? limit : end + 1;
            int keep = (int) Math.max(0, Math.min(stop - position, maxOctets - octets));
            line.write(buffer, position, keep);
            octets += stop - position;
            position = stop;
            if (end >= 0) {
                return finishLine(line.toByteArray(), octets, maxOctets);
            }
        }
    }

    /**
     * Reads message data up to the line holding only a dot and returns it with the dot-stuffing
     * undone and every line ended by CR LF (RFC 5321 §4.5.2: the client doubled each leading dot).
     */
    byte[] readDotStuffed() throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            Line line = readLine(Integer.MAX_VALUE);
            if (line == null) {
                throw new EOFException("stream ended in the middle of the message data");
            }
            if (line.isDot()) {
                return data.toByteArray();
            }
            byte[] bytes = line.bytes();
            int start = bytes.length > 0 && bytes[0] == '.' ? 1 : 0;
            data.write(bytes, start, bytes.length - start);
            data.write('\r');
            data.write('\n');
        }
    }

    /** Reads exactly {@code count} octets. */
    byte[] readExactly(int count) throws IOException {
        byte[] bytes = new byte[count];
        int done = 0;
        while (done < count) {
            if (position == limit && !fill()) {
                throw new EOFException("stream ended after " + done + " of " + count + " octets");
            }
            int n = Math.min(count - done, limit - position);
            System.arraycopy(buffer, position, bytes, done, n);
            position += n;
            done += n;
        }
        return bytes;
    }

    /** Reads and drops exactly {@code count} octets. */
    void skip(long count) throws IOException {
        long left = count;
        while (left > 0) {
            if (position == limit && !fill()) {
                throw new EOFException("stream ended with " + left + " octets still to skip");
            }
            int n = (int) Math.min(left, limit - position);
            position += n;
            left -= n;
        }
    }

    /** Reads at least one octet and drops everything that is already available; false at EOF. */
    boolean skipAvailable() throws IOException {
        if (position == limit && !fill()) {
            return false;
        }
        position = limit;
        return true;
    }

    /** Drops the buffered octets and returns how many there were. */
    int discardBuffered() {
        int dropped = limit - position;
        position = limit;
        return dropped;
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer);
        if (n < 0) {
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    private int indexOfLf() {
        for (int i = position; i < limit; i++) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static Line finishLine(byte[] kept, long octets, int maxOctets) {
        int length = kept.length;
        if (length > 0 && kept[length - 1] == '\n') {
            length--;
        }
        boolean crlf = length > 0 && kept[length - 1] == '\r';
        if (crlf) {
            length--;
        }
        // Count the line as if it ended in CR LF, so that a bare LF buys no extra octet.
        long wireOctets = crlf ? octets : octets + 1;
        byte[] bytes = Arrays.copyOf(kept, length);
        return new Line(bytes, octets, wireOctets > maxOctets);
    }
}
