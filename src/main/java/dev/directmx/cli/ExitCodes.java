package dev.directmx.cli;

import dev.directmx.delivery.DeliveryReport;

/** Exit statuses, from BSD's sysexits.h so that scripts and MTAs read them the usual way. */
public final class ExitCodes {
    /** Every recipient delivered. */
    public static final int OK = 0;
    /** EX_USAGE: the command line was wrong. */
    public static final int USAGE = 64;
    /** EX_NOINPUT: what was asked for does not exist (status of an unknown message). */
    public static final int NOT_FOUND = 66;
    /** EX_DATAERR: the message or an address is invalid. */
    public static final int INVALID_MESSAGE = 65;
    /** EX_UNAVAILABLE: some recipient failed and none was deferred. */
    public static final int FAILED = 69;
    /** EX_SOFTWARE: an internal error (a bug). */
    public static final int SOFTWARE = 70;
    /** EX_CANTCREAT: an output file could not be created (dkim keygen). */
    public static final int CANT_CREATE = 73;
    /** EX_TEMPFAIL: some recipient was deferred; try again later. */
    public static final int DEFERRED = 75;

    private ExitCodes() {
    }

    /** 0 when all were delivered, 75 when any was deferred, otherwise 69. */
    public static int of(DeliveryReport report) {
        if (report.allDelivered()) {
            return OK;
        }
        return report.anyDeferred() ? DEFERRED : FAILED;
    }
}
