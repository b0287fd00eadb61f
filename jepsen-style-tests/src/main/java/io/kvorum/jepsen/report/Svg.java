package io.kvorum.jepsen.report;

import java.util.Locale;

/** Just enough SVG, written by hand: a chart is a few hundred shapes, not a reason for a library. */
final class Svg {
    private final StringBuilder b = new StringBuilder();
    final int width;
    final int height;

    Svg(int width, int height) {
        this.width = width;
        this.height = height;
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
        rect(0, 0, width, height, "#ffffff", null, 1);
    }

    Svg rect(double x, double y, double w, double h, String fill, String title, double opacity) {
        b.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"",
                x, y, Math.max(w, 0.5), Math.max(h, 0.5), fill));
        if (opacity < 1) {
            b.append(String.format(Locale.ROOT, " fill-opacity=\"%.2f\"", opacity));
        }
        return close("rect", title);
    }

    Svg circle(double x, double y, double r, String fill, String title) {
        b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" fill-opacity=\"0.6\"",
                x, y, r, fill));
        return close("circle", title);
    }

    Svg line(double x1, double y1, double x2, double y2, String stroke, double width) {
        b.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"/>\n",
                x1, y1, x2, y2, stroke, width));
        return this;
    }

    Svg polyline(double[] xs, double[] ys, String stroke) {
        b.append("<polyline fill=\"none\" stroke=\"").append(stroke).append("\" stroke-width=\"1.5\" points=\"");
        for (int i = 0; i < xs.length; i++) {
            b.append(String.format(Locale.ROOT, "%.1f,%.1f ", xs[i], ys[i]));
        }
        b.append("\"/>\n");
        return this;
    }

    Svg text(double x, double y, String text, String anchor, String fill) {
        b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\">", x, y, anchor,
                fill)).append(escape(text)).append("</text>\n");
        return this;
    }

    /** Ends an element opened above, with a hover tooltip when there is a title. */
    private Svg close(String element, String title) {
        if (title == null) {
            b.append("/>\n");
        } else {
            b.append("><title>").append(escape(title)).append("</title></").append(element).append(">\n");
        }
        return this;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    String render() {
        return b + "</svg>\n";
    }
}
