package io.github.bgtasks.maven;

import java.io.File;
import java.util.List;
import java.util.Map;

/**
 * One {@code <task>} of the {@code start} goal, as Maven fills it from the POM. In every
 * string, {@code @{name}} is replaced when the goal runs by the port or project property of that
 * name (Maven's own {@code ${..}} is replaced before, when the port is not picked yet).
 *
 * <pre>{@code
 * <task>
 *   <name>web</name>
 *   <command><arg>python3</arg><arg>-m</arg><arg>http.server</arg><arg>@{web.port}</arg></command>
 *   <environment><APP_MODE>test</APP_MODE></environment>
 *   <readyUrl>http://127.0.0.1:@{web.port}/</readyUrl>
 * </task>
 * }</pre>
 *
 * <p>Not thread-safe: Maven fills it, the goal reads it.
 */
public class Task {
    /** Unique among the goal's tasks; letters, digits, {@code _} and {@code -}. */
    String name;
    /** The program and its arguments, one {@code <arg>} each; no shell. */
    List<String> command;
    /** The working directory; default: the project's base directory. */
    File workingDirectory;
    /** Variables set for the task (on top of Maven's environment). */
    Map<String, String> environment;
    /** Ready once a line of output matches this regular expression ({@code find}). */
    String readyLogLine;
    /** Ready once 127.0.0.1 accepts connections on this port. */
    String readyPort;
    /** Ready once a GET of this http(s) URL answers below 400 (or with {@link #readyStatus}). */
    String readyUrl;
    /** The status {@link #readyUrl} must answer with; default any below 400. */
    Integer readyStatus;

    /** For Maven. */
    public Task() {
    }

    @Override
    public String toString() {
        return "task " + name + " " + command;
    }
}
