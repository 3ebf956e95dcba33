package io.github.bgtasks.cli;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.board.StatusBoard;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The commands that act on tasks by name: send, stop, kill, wait, attach, clean; and the board. */
final class ControlCommands {
    private ControlCommands() {
    }

    /** Finds every named task first, so that a misspelt name changes nothing. */
    static List<Workspace.Found> findAll(Workspace ws, List<String> names) {
        List<Workspace.Found> found = new ArrayList<>();
        for (String n : names) {
            found.add(ws.find(n));
        }
        return found;
    }

    /** {@code bgtasks send NAME TEXT} */
    @Command(name = "send", description = "Types TEXT and Enter into a tmux task's input. (A process task's"
            + " input stayed with the command that started it: run tasks that you type into with --backend tmux.)")
    static final class Send implements Callable<Integer> {
        @ParentCommand
        Bgtasks root;

        @Parameters(index = "0", paramLabel = "NAME", description = "The task.")
        String name;

        @Parameters(index = "1", paramLabel = "TEXT", description = "The line to send.")
        String text;

        @Override
        public Integer call() {
            try (Workspace ws = root.workspace) {
                TaskHandle h = ws.find(name).handle();
                try {
                    h.send(text);
                } catch (IllegalStateException | java.io.UncheckedIOException e) {
                    throw CliException.failure(e.getMessage()); // it names the task and says why
                }
                return 0;
            }
        }
    }

    /** Shared by stop and kill. */
    abstract static class Ending implements Callable<Integer> {
        @ParentCommand
        Bgtasks root;

        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "NAME", description = "The tasks.")
        List<String> names;

        abstract Function<TaskHandle, CompletableFuture<TaskResult>> how();

        @Override
        public Integer call() throws Exception {
            try (Workspace ws = root.workspace) {
                List<Workspace.Found> found = findAll(ws, names);
                List<CompletableFuture<TaskResult>> ends = new ArrayList<>();
                for (Workspace.Found f : found) {
                    ends.add(how().apply(f.handle()));
                }
                for (CompletableFuture<TaskResult> e : ends) {
                    spec.commandLine().getOut().println(e.get().summary());
                }
                spec.commandLine().getOut().flush();
                return 0;
            }
        }
    }

    /** {@code bgtasks stop NAME...} */
    @Command(name = "stop", description = "Stops tasks: SIGTERM to each whole process tree, SIGKILL after the grace period.")
    static final class Stop extends Ending {
        @Override
        Function<TaskHandle, CompletableFuture<TaskResult>> how() {
            return TaskHandle::stop;
        }
    }

    /** {@code bgtasks kill NAME...} */
    @Command(name = "kill", description = "Kills tasks at once: SIGKILL to each whole process tree.")
    static final class Kill extends Ending {
        @Override
        Function<TaskHandle, CompletableFuture<TaskResult>> how() {
            return TaskHandle::kill;
        }
    }

    /** {@code bgtasks wait NAME...} */
    @Command(name = "wait", description = "Waits until the tasks have ended and prints how each ended. Exits with"
            + " the status of the first task that did not succeed (its exit code, 128+N for signal N, 124 if it timed"
            + " out), else 0.")
    static final class Wait implements Callable<Integer> {
        @ParentCommand
        Bgtasks root;

        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "NAME", description = "The tasks.")
        List<String> names;

        @Override
        public Integer call() throws Exception {
            try (Workspace ws = root.workspace) {
                int status = 0;
                for (Workspace.Found f : findAll(ws, names)) {
                    TaskResult r = f.handle().onExit().get();
                    spec.commandLine().getOut().println(r.summary());
                    spec.commandLine().getOut().flush();
                    if (status == 0) {
                        status = Statuses.exitStatus(r);
                    }
                }
                return status;
            }
        }
    }

    /** {@code bgtasks attach NAME} */
    @Command(name = "attach", description = "Attaches the terminal to a tmux task (detach again with Ctrl-b d).")
    static final class Attach implements Callable<Integer> {
        @ParentCommand
        Bgtasks root;

        @Parameters(paramLabel = "NAME", description = "The task.")
        String name;

        @Override
        public Integer call() throws Exception {
            String command;
            try (Workspace ws = root.workspace) {
                Workspace.Found f = ws.find(name);
                command = f.handle().attachCommand().orElseThrow(() -> CliException.failure("task " + f.handle().id()
                        + " runs on the " + f.backend() + " backend, which has no terminal to attach to; follow its"
                        + " output with: bgtasks logs -f " + name));
                if (f.handle().onExit().isDone()) {
                    throw CliException.failure("task " + f.handle().id() + " has ended; see its output with: bgtasks logs "
                            + name);
                }
            }
            // The attach command is the backend's, with its own quoting, for a shell to run as it is.
            return new ProcessBuilder("/bin/sh", "-c", command).inheritIO().start().waitFor();
        }
    }

    /** {@code bgtasks clean} */
    @Command(name = "clean", description = "Forgets the finished tasks of both backends (their logs stay).")
    static final class Clean implements Callable<Integer> {
        @ParentCommand
        Bgtasks root;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            int removed = 0;
            try (Workspace ws = root.workspace) {
                for (Workspace.Found f : ws.all()) {
                    if (f.handle().onExit().isDone()) {
                        BackgroundTasks tasks = f.tasks();
                        tasks.remove(f.handle());
                        removed++;
                    }
                }
            }
            spec.commandLine().getOut().println("removed " + removed + " finished task" + (removed == 1 ? "" : "s"));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /** {@code bgtasks board}: the live status board of every task, until they have all ended. */
    @Command(name = "board", description = "Shows the tasks of both backends on a status board: live on a terminal"
            + " (one plain line per change otherwise) until every task shown has ended. Ctrl-C leaves the tasks running.")
    static final class Board implements Callable<Integer> {
        @ParentCommand
        Bgtasks root;

        @Option(names = "--once", description = "Print the board once and return.")
        boolean once;

        @Override
        public Integer call() {
            try (Workspace ws = root.workspace) {
                List<TaskHandle> shown = ws.all().stream().map(Workspace.Found::handle).toList();
                StatusBoard board = StatusBoard.of(shown);
                if (once) {
                    System.out.print(board.render());
                    System.out.flush();
                    return 0;
                }
                try (StatusBoard.Live live = board.printTo(System.out)) {
                    CompletableFuture.allOf(shown.stream().map(TaskHandle::onExit).toArray(CompletableFuture[]::new))
                            .join();
                }
                return 0;
            }
        }
    }
}
