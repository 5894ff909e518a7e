package dev.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The machine and JVM a report was produced on, read from /proc and system properties. */
record MachineInfo(int processors, String cpu, String memory, String jdk, String os, String date) {

  static MachineInfo current() {
    return new MachineInfo(
        Runtime.getRuntime().availableProcessors(),
        procField("/proc/cpuinfo", "model name").orElse(System.getProperty("os.arch")),
        procField("/proc/meminfo", "MemTotal").map(MachineInfo::gib).orElse("unknown"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.version"),
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .format(Instant.now().atZone(ZoneOffset.UTC)));
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("processors", processors);
    m.put("cpu", cpu);
    m.put("memory", memory);
    m.put("jdk", jdk);
    m.put("os", os);
    m.put("date", date);
    return m;
  }

  String markdown() {
    return String.format(
        Locale.ROOT,
        "- Machine: %d processors (`nproc`), %s, %s memory, %s%n- JDK: %s%n- Date: %s%n",
        processors,
        cpu,
        memory,
        os,
        jdk,
        date);
  }

  private static java.util.Optional<String> procField(String file, String key) {
    try {
      List<String> lines = Files.readAllLines(Path.of(file));
      for (String line : lines) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
          return java.util.Optional.of(line.substring(colon + 1).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not readable: the caller's fallback applies.
    }
    return java.util.Optional.empty();
  }

  private static String gib(String memTotal) {
    String[] parts = memTotal.trim().split("\\s+");
    try {
      return String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(parts[0]) / 1024.0 / 1024.0);
    } catch (NumberFormatException e) {
      return memTotal;
    }
  }
}
