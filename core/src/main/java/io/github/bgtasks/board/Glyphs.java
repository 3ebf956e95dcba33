package io.github.bgtasks.board;

import io.github.bgtasks.TaskState;
import java.nio.charset.Charset;

/** The state symbols in Unicode, and the ASCII ones for a charset that cannot encode those. */
enum Glyphs {
    UNICODE("·", "⋯", "⋯", "✓", "✗", "✗", "■", "?", "-"),
    ASCII(".", "~", "~", "+", "x", "x", "#", "?", "-");

    private final String[] symbols;

    Glyphs(String... symbols) {
        this.symbols = symbols; // in the order of TaskState
    }

    String symbol(TaskState s) {
        return symbols[s.ordinal()];
    }

    /** Unicode if the charset can encode every symbol, else ASCII. */
    static Glyphs forCharset(Charset cs) {
        if (!cs.canEncode()) {
            return ASCII;
        }
        return cs.newEncoder().canEncode(String.join("", UNICODE.symbols)) ? UNICODE : ASCII;
    }
}
