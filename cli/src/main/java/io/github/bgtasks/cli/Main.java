package io.github.bgtasks.cli;

import picocli.CommandLine;

/**
 * The {@code bgtasks} command. Exit codes: 0 success, 1 failure (such as an unknown task), 2 a
 * command used wrongly (unknown option, bad value, missing {@code --}); {@code wait} exits with
 * the task's own status.
 */
public final class Main {
    /** Exit code of a failure. */
    static final int FAILURE = 1;
    /** Exit code of a command used wrongly. */
    static final int USAGE = 2;

    private Main() {
    }

    /**
     * Runs the command and exits with its status.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** @return the exit status of the command */
    static int run(String... args) {
        return commandLine().execute(args);
    }

    /** @return the command line, with the error handling of every subcommand */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Bgtasks());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof CliException c) {
                line.getErr().println("bgtasks: " + c.getMessage());
                if (c.exitCode() == USAGE) {
                    line.getErr().println("Try '" + line.getCommandSpec().qualifiedName() + " --help' for more information.");
                }
                return c.exitCode();
            }
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                line.getErr().println("bgtasks: " + e.getMessage());
                return FAILURE;
            }
            throw e;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine line = e.getCommandLine();
            line.getErr().println(line.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            line.getErr().println("Try '" + line.getCommandSpec().qualifiedName() + " --help' for more information.");
            return USAGE;
        });
        return cl;
    }
}
