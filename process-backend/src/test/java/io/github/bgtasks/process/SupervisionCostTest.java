package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.CheckResult;
import io.github.bgtasks.health.Health;
import io.github.bgtasks.health.HealthCheck;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * What supervision costs (issue 9): checks share the instance's scheduler and one small pool,
 * so 1,000 checked tasks cost no thread each; a hung check is cut by its timeout and holds up
 * no other. Counts and bounds only, no wall-clock limit. Isolated: the thread counts must not
 * see other tests' threads.
 */
@Isolated
@Timeout(value = 10, unit = TimeUnit.MINUTES) // against hangs only: a busy machine may be very slow
class SupervisionCostTest extends RealProcessTest {
    static final Duration PATIENCE = Duration.ofMinutes(5);

    @Test
    void aThousandTasksCheckedEverySecondKeepTheThreadCountWithinSixteenOfIdle() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int before = threads.getThreadCount();
        threads.resetPeakThreadCount();
        String m = marker();
        AtomicInteger runs = new AtomicInteger();
        BackgroundTasks tasks = newTasks();
        List<TaskHandle> handles = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            handles.add(tasks.start(TaskSpec.builder("sleep", m).name("checked-" + i)
                    .healthCheck(HealthCheck.alive().every(Duration.ofSeconds(1)))
                    .healthCheck(HealthCheck.newErrors().every(Duration.ofSeconds(1)))
                    .healthCheck(HealthCheck.custom("count", () -> CheckResult.healthy("run " + runs.incrementAndGet()))
                            .every(Duration.ofSeconds(1)))
                    .build()));
        }
        within(PATIENCE).until(() -> Procs.withArg(m).size() == 1000);
        // every task's checks ran, and then (on average) two rounds more
        within(PATIENCE).until(() -> handles.stream().allMatch(h -> h.health().state() == Health.State.HEALTHY));
        int seen = runs.get();
        within(PATIENCE).until(() -> runs.get() >= seen + 2000);
        int grew = threads.getPeakThreadCount() - before;

        tasks.close();

        assertTrue(grew <= 16, "thread count grew by " + grew + " with 1,000 tasks checked every second");
        assertEquals(List.of(), Procs.withArg(m), "running after close()");
    }

    @Test
    void aHungCheckIsCutByItsTimeoutAndHoldsUpNoOtherCheck() throws Exception {
        String m = marker();
        CountDownLatch never = new CountDownLatch(1);
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        // A server that accepts and never answers: an HTTP check on it waits for its timeout.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (java.io.IOException e) {
                    // closed: the test is over
                }
            }, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
            URI url = URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/");
            AtomicInteger other = new AtomicInteger();
            Duration period = Duration.ofMillis(100);
            TaskSpec.Builder spec = TaskSpec.builder("sleep", m).name("hung")
                    // hangs for good: the test sees it has not finished while the other check runs on
                    .healthCheck(HealthCheck.http(url).every(period).timeout(Duration.ofHours(1)))
                    .healthCheck(HealthCheck.custom("other", () -> CheckResult.healthy("run " + other.incrementAndGet()))
                            .every(period));
            // More blocked Java checks than the pool has threads: each is interrupted at its timeout.
            for (int i = 0; i < 6; i++) {
                spec.healthCheck(HealthCheck.custom("blocked-" + i, () -> {
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        return CheckResult.unhealthy("interrupted");
                    }
                    return CheckResult.healthy("released");
                }).every(period).timeout(Duration.ofMillis(200)));
            }
            BackgroundTasks tasks = newTasks();
            TaskHandle h = tasks.start(spec.build());
            within(PATIENCE).until(() -> other.get() >= 30 && !accepted.isEmpty());
            Health health = h.health();
            assertEquals("not run yet", health.checks().get("http " + url).message(),
                    "the hung HTTP run has not ended, and the other check ran 30 times meanwhile: " + health);
            for (int i = 0; i < 6; i++) {
                assertEquals("check 'blocked-" + i + "' timed out after 200 ms", health.checks().get("blocked-" + i).message(),
                        health.toString());
            }

            // The same server under a short timeout: cut, and reported with it.
            TaskHandle cut = tasks.start(TaskSpec.builder("sleep", m).name("cut")
                    .healthCheck(HealthCheck.http(url).every(period).timeout(Duration.ofMillis(300))).build());
            within(PATIENCE).until(() -> cut.health().state() == Health.State.UNHEALTHY);
            String msg = cut.health().checks().get("http " + url).message();
            assertTrue(msg.contains("timed out"), msg);
            tasks.close();
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
