package io.github.bgtasks.testkit;

import io.github.bgtasks.BackgroundTasks;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** What the virtual-time engine tests share: their builder and their patience. */
final class VirtualTime {
    /** Only a hung test waits this long; a busy machine never comes close. */
    static final Duration PATIENCE = Duration.ofMinutes(2);

    private VirtualTime() {
    }

    /** @return a builder on {@code backend} whose time is {@code time}, advanced through {@code scheduler} */
    static BackgroundTasks.Builder builder(FakeBackend backend, FakeTicker time, FakeScheduler scheduler) {
        return BackgroundTasks.builder().backend(backend).ticker(time).clock(time.clock()).scheduler(scheduler);
    }

    /** Waits for another thread, bounded only by {@link #PATIENCE}. */
    static ConditionFactory patiently() {
        return Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofMillis(5));
    }
}
