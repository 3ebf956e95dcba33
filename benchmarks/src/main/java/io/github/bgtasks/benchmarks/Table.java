package io.github.bgtasks.benchmarks;

import java.util.ArrayList;
import java.util.List;

/** A Markdown table, built row by row. Not thread-safe. */
final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    Table row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, header " + header.size());
        }
        List<String> row = new ArrayList<>();
        for (Object c : cells) {
            row.add(String.valueOf(c).replace("|", "\\|"));
        }
        rows.add(row);
        return this;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        line(sb, header);
        sb.append('|');
        header.forEach(h -> sb.append("---|"));
        sb.append('\n');
        rows.forEach(r -> line(sb, r));
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells) {
        sb.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }

    /** Formats with one decimal, or none for large values, so columns stay readable. */
    static String num(double v) {
        return Math.abs(v) >= 100 ? String.format("%,.0f", v) : String.format("%.1f", v);
    }

    static String ratio(double v) {
        return String.format("%.2fx", v);
    }

    static String verdict(boolean met) {
        return met ? "met" : "**missed**";
    }
}
