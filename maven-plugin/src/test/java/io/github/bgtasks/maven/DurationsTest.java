package io.github.bgtasks.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @Test
    void readsTheShortFormsAndIso() {
        assertEquals(Duration.ofMillis(500), Durations.parse("t", "500ms"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("t", " 30s "));
        assertEquals(Duration.ofMinutes(2), Durations.parse("t", "2m"));
        assertEquals(Duration.ofHours(1), Durations.parse("t", "1H"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("t", "PT1M30S"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "30", "thirty seconds", "-5s", "0s", "PT0S"})
    void rejectsWhatIsNotAPositiveDurationNamingTheParameter(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Durations.parse("readinessTimeout", text));
        assertEquals(true, e.getMessage().startsWith("readinessTimeout must be"), e.getMessage());
        assertEquals(true, e.getMessage().contains("'" + text + "'"), e.getMessage());
    }
}
