package io.pgobserver.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Charts as plain SVG text: panels stacked top to bottom in one document, each a line chart of labelled series or a
 * bar chart of labelled groups. Nothing here knows the bench: a series is a label and its points, so any run (the
 * observer's, a peer's such as {@code debezium}) is one more series. The output needs no script or font of its own,
 * so it shows the same in a browser and on GitHub.
 */
final class SvgChart {

    /** A line: its legend label and its points (x and y of equal length). */
    record Series(String label, double[] x, double[] y) {
        Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + label + ": " + x.length + " x for " + y.length + " y");
            }
        }
    }

    /** A group of bars under one label on the x axis, one value per bar label (NaN: no bar). */
    record Group(String label, double[] values) {
    }

    private static final int WIDTH = 960;
    private static final int PANEL = 380;
    private static final int LEFT = 80;
    private static final int RIGHT = 200;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;
    /** About how wide a character of the 12-pixel font is, to tell whether labels fit. */
    private static final double CHAR = 7;
    /** The document title's line, then the subtitle's. */
    private static final int HEADER = 60;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    private final String title;
    private final String subtitle;
    private final StringBuilder panels = new StringBuilder();
    private int height = HEADER;

    /** @param subtitle a line under the title in smaller type (the machine, the versions) */
    SvgChart(String title, String subtitle) {
        this.title = title;
        this.subtitle = subtitle;
    }

    /** Adds a line chart: one polyline per series, axes from zero to the largest value. */
    SvgChart lines(String panelTitle, String xAxis, String yAxis, List<Series> series) {
        double maxX = series.stream().flatMapToDouble(s -> java.util.Arrays.stream(s.x())).max().orElse(1);
        double maxY = series.stream().flatMapToDouble(s -> java.util.Arrays.stream(s.y())).max().orElse(1);
        Axis x = Axis.of(maxX);
        Axis y = Axis.of(maxY);
        int top = beginPanel(panelTitle, xAxis, yAxis, y);
        for (double tick = 0; tick <= x.max() + x.step() / 2; tick += x.step()) {
            double px = LEFT + tick / x.max() * plotWidth();
            panels.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    px, top + plotHeight() + 18, Axis.format(tick)));
        }
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            StringBuilder points = new StringBuilder();
            for (int p = 0; p < s.x().length; p++) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + s.x()[p] / x.max() * plotWidth(),
                        top + plotHeight() - s.y()[p] / y.max() * plotHeight()));
            }
            panels.append(String.format("<polyline class=\"series\" data-label=\"%s\" fill=\"none\" stroke=\"%s\" "
                    + "stroke-width=\"1.5\" points=\"%s\"/>%n", escape(s.label()), colour(i), points.toString().trim()));
        }
        legend(top, series.stream().map(Series::label).toList());
        return endPanel(0);
    }

    /**
     * Adds a bar chart: per group, one bar per bar label, its value printed above it; {@code notes} are lines of
     * text under the chart (a ratio, a caveat).
     */
    SvgChart bars(String panelTitle, String yAxis, List<String> barLabels, List<Group> groups, List<String> notes) {
        double max = groups.stream().flatMapToDouble(g -> java.util.Arrays.stream(g.values()))
                .filter(v -> !Double.isNaN(v)).max().orElse(1);
        Axis y = Axis.of(max);
        int top = beginPanel(panelTitle, "", yAxis, y);
        double slot = plotWidth() / (double) Math.max(1, groups.size());
        double bar = Math.min(60, slot * 0.8 / Math.max(1, barLabels.size()));
        // Labels wider than their slot would run into each other: slant them all.
        boolean slanted = groups.stream().anyMatch(g -> g.label().length() * CHAR > slot);
        for (int g = 0; g < groups.size(); g++) {
            Group group = groups.get(g);
            double start = LEFT + g * slot + (slot - bar * barLabels.size()) / 2;
            for (int b = 0; b < barLabels.size() && b < group.values().length; b++) {
                double value = group.values()[b];
                if (Double.isNaN(value)) {
                    continue;
                }
                double h = value / y.max() * plotHeight();
                double bx = start + b * bar;
                panels.append(String.format(Locale.ROOT, "<rect class=\"bar\" data-group=\"%s\" data-label=\"%s\" "
                                + "x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
                        escape(group.label()), escape(barLabels.get(b)), bx, top + plotHeight() - h, bar - 2, h,
                        colour(b)));
                panels.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                        + "font-size=\"10\">%s</text>%n", bx + bar / 2 - 1, top + plotHeight() - h - 3, Axis.format(value)));
            }
            double x = LEFT + g * slot + slot / 2;
            if (slanted) {
                panels.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\" "
                                + "transform=\"rotate(-30 %.1f %d)\">%s</text>%n", x, top + plotHeight() + 14, x,
                        top + plotHeight() + 14, escape(group.label())));
            } else {
                panels.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                        x, top + plotHeight() + 18, escape(group.label())));
            }
        }
        legend(top, barLabels);
        // Slanted labels need room under the axis: about half their length, at 30 degrees.
        int labels = slanted ? (int) (groups.stream().mapToInt(g -> g.label().length()).max().orElse(0) * CHAR / 2)
                : 0;
        for (int n = 0; n < notes.size(); n++) {
            panels.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>%n", LEFT,
                    top + plotHeight() + 40 + labels + 15 * n, escape(notes.get(n))));
        }
        return endPanel(labels + 15 * notes.size());
    }

    /** The whole document. */
    String render() {
        return String.format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>%n<svg xmlns=\"http://www.w3.org/2000/svg\" "
                        + "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n"
                        + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n"
                        + "<text x=\"%d\" y=\"26\" font-size=\"18\" font-weight=\"bold\">%s</text>%n"
                        + "<text x=\"%d\" y=\"46\" font-size=\"12\" fill=\"#555\">%s</text>%n%s</svg>%n",
                WIDTH, height, WIDTH, height, LEFT, escape(title), LEFT, escape(subtitle), panels);
    }

    void write(Path file) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, render(), StandardCharsets.UTF_8);
    }

    /** Title, frame, y grid and axis labels of a new panel; returns the y of its plot area's top. */
    private int beginPanel(String panelTitle, String xAxis, String yAxis, Axis y) {
        int top = height + TOP;
        panels.append(String.format("<g class=\"panel\">%n<text x=\"%d\" y=\"%d\" font-size=\"15\" "
                + "font-weight=\"bold\">%s</text>%n", LEFT, top - 16, escape(panelTitle)));
        for (double tick = 0; tick <= y.max() + y.step() / 2; tick += y.step()) {
            double py = top + plotHeight() - tick / y.max() * plotHeight();
            panels.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
                            + "stroke=\"#ddd\"/>%n<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT, LEFT + plotWidth(), py, py, LEFT - 6, py + 4, Axis.format(tick)));
        }
        panels.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#333\"/>%n", LEFT, top, plotWidth(), plotHeight()));
        panels.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + plotWidth() / 2, top + plotHeight() + 36, escape(xAxis)));
        panels.append(String.format("<text transform=\"translate(%d %d) rotate(-90)\" text-anchor=\"middle\">%s"
                + "</text>%n", 18, top + plotHeight() / 2, escape(yAxis)));
        return top;
    }

    /** Closes the panel, {@code below} pixels of notes under its axis label included. */
    private SvgChart endPanel(int below) {
        panels.append("</g>\n");
        height += TOP + plotHeight() + BOTTOM + below;
        return this;
    }

    private void legend(int top, List<String> labels) {
        int x = LEFT + plotWidth() + 16;
        for (int i = 0; i < labels.size(); i++) {
            int y = top + 10 + 18 * i;
            panels.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", x, y, colour(i), x + 18, y + 10, escape(labels.get(i))));
        }
    }

    private static int plotWidth() {
        return WIDTH - LEFT - RIGHT;
    }

    private static int plotHeight() {
        return PANEL - TOP - BOTTOM;
    }

    private static String colour(int index) {
        return COLOURS[index % COLOURS.length];
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** An axis from zero: its top a whole number of steps of 1, 2 or 5 times a power of ten, about five of them. */
    private record Axis(double max, double step) {
        static Axis of(double largest) {
            double value = largest > 0 && Double.isFinite(largest) ? largest : 1;
            double magnitude = Math.pow(10, Math.floor(Math.log10(value / 5)));
            double step = magnitude;
            for (double factor : new double[] {1, 2, 5, 10}) {
                step = factor * magnitude;
                if (value / step <= 6) {
                    break;
                }
            }
            return new Axis(Math.ceil(value / step) * step, step);
        }

        static String format(double value) {
            if (value == Math.rint(value) && Math.abs(value) < 1e15) {
                return String.format(Locale.ROOT, "%d", (long) value);
            }
            return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : Math.abs(value) >= 10 ? "%.1f"
                    : "%.2f", value);
        }
    }
}
