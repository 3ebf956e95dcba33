package io.github.bgtasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.health.RestartPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Restart policies: bad values are named at build time; the backoff doubles up to its maximum. */
class RestartPolicyTest {

    private static void assertMessage(Class<? extends Throwable> type, String expected, Runnable action) {
        Throwable e = assertThrows(type, action::run);
        assertTrue(e.getMessage().contains(expected), "message <" + e.getMessage() + "> lacks <" + expected + ">");
    }

    @Test
    void badValuesAreNamed() {
        assertMessage(IllegalArgumentException.class, "maxRestarts must be 0 or more, was -1",
                () -> RestartPolicy.onFailure().maxRestarts(-1));
        assertMessage(IllegalArgumentException.class, "restart window must be positive, was PT0S",
                () -> RestartPolicy.always().within(Duration.ZERO));
        assertMessage(IllegalArgumentException.class, "initial backoff must be positive, was PT-1S",
                () -> RestartPolicy.onFailure().backoff(Duration.ofSeconds(-1), Duration.ofSeconds(1)));
        assertMessage(IllegalArgumentException.class, "max backoff must be positive, was PT0S",
                () -> RestartPolicy.onFailure().backoff(Duration.ofSeconds(1), Duration.ZERO));
        assertMessage(IllegalArgumentException.class, "initial backoff PT10S must not exceed max backoff PT1S",
                () -> RestartPolicy.onFailure().backoff(Duration.ofSeconds(10), Duration.ofSeconds(1)));
        assertMessage(IllegalStateException.class, "maxRestarts has no effect on RestartPolicy.never()",
                () -> RestartPolicy.never().maxRestarts(3));
        assertMessage(NullPointerException.class, "restart policy must not be null",
                () -> TaskSpec.builder("true").restart(null));
        assertMessage(IllegalStateException.class, "restart policy was already set to RestartPolicy{on_failure",
                () -> TaskSpec.builder("true").restart(RestartPolicy.onFailure()).restart(RestartPolicy.always()));
    }

    @Test
    void theBackoffDoublesUpToItsMaximumAndTheSpecShowsThePolicy() {
        RestartPolicy p = RestartPolicy.onFailure().maxRestarts(3).within(Duration.ofMinutes(5))
                .backoff(Duration.ofMillis(200), Duration.ofSeconds(1));
        assertEquals(Duration.ofMillis(200), p.backoffBefore(0));
        assertEquals(Duration.ofMillis(400), p.backoffBefore(1));
        assertEquals(Duration.ofMillis(800), p.backoffBefore(2));
        assertEquals(Duration.ofSeconds(1), p.backoffBefore(3));
        assertEquals(Duration.ofSeconds(1), p.backoffBefore(Integer.MAX_VALUE));
        assertEquals(RestartPolicy.never(), TaskSpec.builder("true").build().restart());
        assertEquals("TaskSpec{[true] RestartPolicy{on_failure max 3 within PT5M backoff PT0.2S..PT1S}}",
                TaskSpec.builder("true").restart(p).build().toString());
    }
}
