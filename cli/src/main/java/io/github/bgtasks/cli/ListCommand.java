package io.github.bgtasks.cli;

import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.health.Health;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code bgtasks list}: one line per task, running or finished, of every backend. */
@Command(name = "list", aliases = "ls", description = "Lists the tasks, running and finished, of both backends.")
final class ListCommand implements Callable<Integer> {
    private static final int LAST_LINE = 60;

    @ParentCommand
    Bgtasks root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (Workspace ws = root.workspace) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"NAME", "BACKEND", "STATE", "RUNTIME", "PID", "HEALTH", "LAST LINE"});
            for (Workspace.Found f : ws.all()) {
                TaskHandle h = f.handle();
                List<String> tail = h.tail(1);
                String last = tail.isEmpty() ? "" : tail.get(0).strip();
                Health health = h.health();
                rows.add(new String[] {h.name(), f.backend(), h.state().toString(), Statuses.duration(h.runtime()),
                    h.pid().isPresent() ? Long.toString(h.pid().getAsLong()) : "-",
                    health.state() == Health.State.UNKNOWN ? "-" : health.state().toString().toLowerCase(),
                    last.length() > LAST_LINE ? last.substring(0, LAST_LINE - 3) + "..." : last});
            }
            print(spec.commandLine().getOut(), rows);
            return 0;
        }
    }

    /** Prints the rows in columns, the last one unpadded. */
    static void print(PrintWriter out, List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i == r.length - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }
}
