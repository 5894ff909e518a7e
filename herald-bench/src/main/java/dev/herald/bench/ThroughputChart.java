package dev.herald.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws the throughput table as a grouped bar chart in plain SVG text: one group per topology, one
 * bar per library, on a logarithmic axis (the libraries span three orders of magnitude).
 */
final class ThroughputChart {
  private static final String[] COLOURS = {
    "#1b6ac9", "#6fa8ea", "#2a9d4b", "#e07b00", "#f2b25c", "#9b4dca", "#c0392b", "#e8827a",
    "#7f8c8d"
  };
  private static final int WIDTH = 960;
  private static final int HEIGHT = 520;
  private static final int LEFT = 80;
  private static final int RIGHT = 230;
  private static final int TOP = 50;
  private static final int BOTTOM = 60;

  private ThroughputChart() {}

  static String render(List<ThroughputRow> rows, String subtitle) {
    Map<String, List<ThroughputRow>> groups = new LinkedHashMap<>();
    List<String> libraries = new ArrayList<>();
    double max = 1;
    double min = Double.MAX_VALUE;
    for (ThroughputRow r : rows) {
      groups.computeIfAbsent(r.topology(), t -> new ArrayList<>()).add(r);
      if (!libraries.contains(r.library())) {
        libraries.add(r.library());
      }
      if (r.eventsPerSecond() > 0) {
        max = Math.max(max, r.eventsPerSecond());
        min = Math.min(min, r.eventsPerSecond());
      }
    }
    int lo = (int) Math.floor(Math.log10(Math.min(min, max)));
    int hi = (int) Math.ceil(Math.log10(max));
    if (hi <= lo) {
      hi = lo + 1;
    }
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n",
            WIDTH,
            HEIGHT,
            WIDTH,
            HEIGHT));
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    s.append(
        text(
            LEFT,
            22,
            16,
            "start",
            "Events delivered per second, by library and topology (log scale)"));
    s.append(text(LEFT, 40, 11, "start", escape(subtitle)));
    for (int e = lo; e <= hi; e++) {
      double y = TOP + plotH - (double) (e - lo) / (hi - lo) * plotH;
      s.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
              LEFT,
              y,
              LEFT + plotW,
              y));
      s.append(text(LEFT - 6, y + 4, 11, "end", power(e)));
    }
    int groupCount = Math.max(1, groups.size());
    double groupW = (double) plotW / groupCount;
    double barW = (groupW * 0.8) / Math.max(1, libraries.size());
    int g = 0;
    for (Map.Entry<String, List<ThroughputRow>> group : groups.entrySet()) {
      double x0 = LEFT + g * groupW + groupW * 0.1;
      for (ThroughputRow r : group.getValue()) {
        int i = libraries.indexOf(r.library());
        double v = Math.max(r.eventsPerSecond(), Math.pow(10, lo));
        double h = (Math.log10(v) - lo) / (hi - lo) * plotH;
        double x = x0 + i * barW;
        s.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                    + "<title>%s %s: %s events/s</title></rect>%n",
                x,
                TOP + plotH - h,
                barW * 0.9,
                h,
                COLOURS[i % COLOURS.length],
                escape(r.library()),
                escape(BenchReport.TOPOLOGIES.getOrDefault(r.topology(), r.topology())),
                BenchReport.count(r.eventsPerSecond())));
      }
      String label = BenchReport.TOPOLOGIES.getOrDefault(group.getKey(), group.getKey());
      s.append(text(LEFT + g * groupW + groupW / 2, TOP + plotH + 20, 13, "middle", escape(label)));
      s.append(
          text(LEFT + g * groupW + groupW / 2, TOP + plotH + 36, 10, "middle", group.getKey()));
      g++;
    }
    s.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
            LEFT,
            TOP + plotH,
            LEFT + plotW,
            TOP + plotH));
    for (int i = 0; i < libraries.size(); i++) {
      int y = TOP + 10 + i * 20;
      s.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
              WIDTH - RIGHT + 20,
              y,
              COLOURS[i % COLOURS.length]));
      s.append(text(WIDTH - RIGHT + 38, y + 10, 12, "start", escape(libraries.get(i))));
    }
    s.append("</svg>\n");
    return s.toString();
  }

  private static String power(int e) {
    String[] names = {"1", "10", "100", "1k", "10k", "100k", "1M", "10M", "100M", "1G"};
    return e >= 0 && e < names.length ? names[e] : "1e" + e;
  }

  private static String text(double x, double y, int size, String anchor, String body) {
    return String.format(
        Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\">%s</text>%n",
        x,
        y,
        size,
        anchor,
        body);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
