package io.github.bgtasks.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ScopeType;

/** The root command: options shared by every subcommand, and the subcommands. */
@Command(name = "bgtasks", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = Bgtasks.Version.class,
        description = "Runs commands in the background and keeps them under control, with no daemon: each"
                + " invocation finds the tasks that earlier ones started. Process tasks outlive the command that"
                + " started them; tmux tasks run in sessions of a private tmux server.",
        subcommands = {StartCommand.class, ListCommand.class, LogsCommand.class, ControlCommands.Send.class,
            ControlCommands.Stop.class, ControlCommands.Kill.class, ControlCommands.Wait.class,
            ControlCommands.Attach.class, ControlCommands.Clean.class, ControlCommands.Board.class,
            AutoComplete.GenerateCompletion.class},
        footer = {"", "Exit status: 0 success, 1 failure (such as an unknown task), 2 a command used wrongly; 'wait'"
                + " exits with the task's status (its exit code, 128+N for signal N, 124 if it timed out)."})
final class Bgtasks implements Runnable {
    @Mixin
    Workspace workspace;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw CliException.usage("give a command, such as 'bgtasks start -- CMD ARGS...' or 'bgtasks list'");
    }

    /** The version from the jar's manifest, when there is one. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Bgtasks.class.getPackage().getImplementationVersion();
            return new String[] {"bgtasks " + (v == null ? "(development build)" : v)};
        }
    }
}
