package dev.directmx.cli;

import dev.directmx.delivery.Durations;
import dev.directmx.lambda.SqsQueueActions;
import dev.directmx.message.InvalidMessageException;
import dev.directmx.message.MessageComposer;
import dev.directmx.message.MessageLimits;
import dev.directmx.message.MessageRequest;
import dev.directmx.message.OutboundMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code directmx enqueue}: puts a JSON message on the queue, after checking it exactly as the
 * handler will, so that a message the handler would refuse never reaches the queue. The body
 * goes as the file holds it, byte for byte.
 *
 * <p>One instance per command line; it opens one SQS client and closes it before returning.
 */
@Command(name = "enqueue",
        mixinStandardHelpOptions = true,
        description = {
            "Checks a JSON message as the Lambda handler will and sends it, unchanged, to the SQS queue.",
            "Prints the SQS MessageId and the email's Message-ID.",
            "",
            "The endpoint, region and credentials come from the usual AWS settings (AWS_ENDPOINT_URL_SQS, "
                    + "AWS_REGION, AWS_PROFILE, ...).",
            "",
            "Exit status: 0 sent; 65 invalid message (nothing sent); 64 usage error or unreadable file; "
                    + "75 SQS could not be reached (try again); 69 SQS refused the message."},
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = ExitCodes.SOFTWARE)
public final class EnqueueCommand implements Callable<Integer> {

    /** SQS delays a message at most 15 minutes (DelaySeconds 0..900). */
    static final Duration MAX_DELAY = Duration.ofMinutes(15);

    /** A zero written any way {@link Durations#parse}'s units allow; that method wants more than zero. */
    private static final Pattern ZERO = Pattern.compile("(?i)0+(ms|s|m|h|d)?|pt0+s");

    @Option(names = "--queue-url", required = true, paramLabel = "URL", description = "The queue's URL.")
    String queueUrl;

    @Parameters(index = "0", paramLabel = "MESSAGE.json", description = "The message (see README), UTF-8.")
    Path messageFile;

    @Option(names = "--delay", paramLabel = "DURATION", defaultValue = "0s",
            description = "Keep the message invisible this long first, at most 15m (default: ${DEFAULT-VALUE}).")
    String delay;

    @Option(names = "--endpoint", paramLabel = "URL",
            description = "SQS endpoint to use instead of AWS's, e.g. a local ElasticMQ: http://127.0.0.1:9324.")
    URI endpoint;

    @Spec
    CommandSpec spec;

    private final Function<Optional<URI>, SqsClient> clients;

    /** For the command line: clients configured as {@link SqsQueueActions#client()} is. */
    public EnqueueCommand() {
        this(endpoint -> endpoint.map(SqsQueueActions::client).orElseGet(SqsQueueActions::client));
    }

    /** @param clients opens a client for {@code --endpoint} (empty: the standard endpoint); the command closes it */
    public EnqueueCommand(Function<Optional<URI>, SqsClient> clients) {
        this.clients = Objects.requireNonNull(clients, "clients");
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int delaySeconds;
        String body;
        try {
            delaySeconds = delaySeconds(delay);
            body = Files.readString(messageFile, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            err.println("directmx enqueue: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (IOException e) {
            err.println("directmx enqueue: " + messageFile + ": cannot read it (" + reason(e) + ")");
            return ExitCodes.USAGE;
        }
        OutboundMessage message;
        try {
            message = new MessageComposer(Clock.systemUTC(), MessageLimits.defaults())
                    .compose(MessageRequest.fromJson(body));
        } catch (InvalidMessageException e) {
            err.println("directmx enqueue: invalid message: " + e.getMessage());
            return ExitCodes.INVALID_MESSAGE;
        }
        String sqsMessageId;
        try (SqsClient sqs = clients.apply(Optional.ofNullable(endpoint))) {
            sqsMessageId = sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body).delaySeconds(delaySeconds))
                    .messageId();
        } catch (SdkException e) {
            err.println("directmx enqueue: could not send to " + queueUrl + ": " + e.getMessage());
            // A client-side failure (no network, no credentials yet) may pass; a refusal by SQS will not.
            return e instanceof SdkClientException ? ExitCodes.DEFERRED : ExitCodes.FAILED;
        }
        out.println("SQS-Message-Id: " + sqsMessageId);
        out.println("Message-ID: " + message.content().messageId());
        out.flush();
        return ExitCodes.OK;
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The delay in whole seconds, rounded up, or a usage problem naming {@code --delay}. */
    static int delaySeconds(String text) {
        if (text == null || ZERO.matcher(text.strip()).matches()) {
            return 0;
        }
        Duration d = Durations.parse("--delay", text);
        if (d.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("--delay: '" + text + "' is longer than 15m, SQS's longest delay");
        }
        return (int) (d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0));
    }
}
