package dev.directmx.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code directmx} command line: one subcommand per job. */
@Command(name = "directmx",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Delivers email straight to recipients' MX servers.",
        subcommands = {SendCommand.class, DemoCommand.class, EnqueueCommand.class, WorkerCommand.class, InvokeCommand.class,
            StatusCommand.class, DkimCommand.class,
            CommandLine.HelpCommand.class},
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = ExitCodes.SOFTWARE)
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status (for tests and for {@link #main}). */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: send, demo, enqueue, worker, invoke or status");
    }

    /** Reports the version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"directmx " + (version == null ? "(development build)" : version)};
        }
    }
}
