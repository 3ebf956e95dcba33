package io.github.bgtasks.tmux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How commands are written as control-mode lines (the keeper's tests run them on a real tmux). */
class ControlChannelTest {
    @Test
    void everyArgumentIsSingleQuotedAndOnlyLoneSemicolonsSeparate() {
        assertEquals("'new-session' '-s' 'a'\"'\"'b $x ; #{pid} {}' ; 'set-option' ''",
                ControlChannel.line(List.of("new-session", "-s", "a'b $x ; #{pid} {}", ";", "set-option", "")));
    }

    @Test
    void anArgumentWithAControlCharacterCannotBeOnALine() {
        assertNull(ControlChannel.line(List.of("pipe-pane", "cat > 'a\nb'")));
        assertNull(ControlChannel.line(List.of("x\r")));
        assertNull(ControlChannel.line(List.of("tab\there")));
    }
}
