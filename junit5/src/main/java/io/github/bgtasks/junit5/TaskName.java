package io.github.bgtasks.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the task whose {@link io.github.bgtasks.TaskHandle} a test method, lifecycle method or
 * constructor parameter receives from a {@link BackgroundTasksExtension}. Not needed when the
 * extension has one task.
 */
@Documented
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
public @interface TaskName {
    /** @return the task's name, as given to {@code TaskSpec.Builder.name(..)} */
    String value();
}
