package dev.herald.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.log.LogFiles;
import dev.herald.log.LogFiles.SegmentFile;
import dev.herald.log.LogFiles.TopicFiles;
import dev.herald.log.LogOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code log inspect}: topics, segments, offsets and consumer lag, read without taking the lock, so
 * it works on a log a running process has open; it says so, since the numbers are then a snapshot.
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      // The first line is the summary 'herald log --help' lists: a sentence of its own.
      "Show topics, segments, offsets and consumer groups with their lag.",
      "Read-only and takes no lock: works on a log another process has open (and says that it is"
          + " in use). Reads each segment from its last index entry on, so it reports the damage"
          + " in a sealed segment that it reads (file and byte); 'verify' reads every byte.",
      "Exit status: 0 no damage seen, 1 damage found in a sealed segment, 2 usage error."
    })
final class InspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LogDirectoryOptions log;

  @Option(names = "--json", description = "Print one JSON object instead of tables.")
  boolean json;

  /**
   * One committed offset of a group, with the lag behind its topic's end (null when the topic is
   * gone).
   */
  private record GroupOffset(String group, String topic, long committed, Long endOffset) {
    Long lag() {
      return endOffset == null ? null : Math.max(0, endOffset - committed);
    }
  }

  @Override
  public Integer call() throws IOException {
    Path dir = log.existingLogDirectory();
    LogOptions options = log.options();
    Boolean inUse = inUse(dir, options);
    Map<String, TopicFiles> topics = new LinkedHashMap<>();
    for (String t : LogFiles.topics(dir, options)) {
      topics.put(t, LogFiles.topic(dir, t, options));
    }
    List<GroupOffset> groups = new ArrayList<>();
    LogFiles.committedOffsets(dir, options)
        .forEach(
            (group, byTopic) ->
                byTopic.forEach(
                    (topic, offset) -> {
                      TopicFiles t = topics.get(topic);
                      groups.add(
                          new GroupOffset(group, topic, offset, t == null ? null : t.endOffset()));
                    }));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.MAPPER.writeValueAsString(toJson(dir, inUse, topics, groups)));
    } else {
      printTables(out, dir, inUse, topics, groups);
    }
    // As verify: damage is the exit status too, for scripts that read no output.
    return damaged(topics).isEmpty() ? 0 : 1;
  }

  /** The segments in which damage was found, in topic and base offset order. */
  private static List<SegmentFile> damaged(Map<String, TopicFiles> topics) {
    List<SegmentFile> damaged = new ArrayList<>();
    for (TopicFiles t : topics.values()) {
      for (SegmentFile s : t.segments()) {
        if (s.damage() != null) {
          damaged.add(s);
        }
      }
    }
    return damaged;
  }

  /**
   * Whether a process has the directory open; null when that cannot be told (the reason goes to
   * stderr).
   */
  private Boolean inUse(Path dir, LogOptions options) {
    try {
      return LogFiles.isInUse(dir, options);
    } catch (IOException e) {
      spec.commandLine()
          .getErr()
          .println("herald: cannot tell whether " + dir + " is in use: " + e);
      return null;
    }
  }

  private static ObjectNode toJson(
      Path dir, Boolean inUse, Map<String, TopicFiles> topics, List<GroupOffset> groups) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("directory", dir.toString());
    if (inUse == null) {
      root.putNull("inUse");
    } else {
      root.put("inUse", inUse);
    }
    ArrayNode topicArray = root.putArray("topics");
    for (TopicFiles t : topics.values()) {
      ObjectNode node = topicArray.addObject();
      node.put("name", t.name());
      node.put("startOffset", t.startOffset());
      node.put("endOffset", t.endOffset());
      node.put("sizeBytes", t.sizeBytes());
      ArrayNode segments = node.putArray("segments");
      for (SegmentFile s : t.segments()) {
        segments
            .addObject()
            .put("baseOffset", s.baseOffset())
            .put("file", s.file().getFileName().toString())
            .put("sizeBytes", s.sizeBytes())
            .put("endOffset", s.endOffset())
            .put("records", s.recordCount())
            .put("damage", s.damage());
      }
    }
    ArrayNode damageArray = root.putArray("damage");
    for (SegmentFile s : damaged(topics)) {
      damageArray.addObject().put("file", s.file().toString()).put("damage", s.damage());
    }
    ArrayNode groupArray = root.putArray("groups");
    for (GroupOffset g : groups) {
      ObjectNode node =
          groupArray
              .addObject()
              .put("group", g.group())
              .put("topic", g.topic())
              .put("committed", g.committed());
      if (g.endOffset() == null) {
        node.putNull("endOffset").putNull("lag");
      } else {
        node.put("endOffset", g.endOffset()).put("lag", g.lag());
      }
    }
    return root;
  }

  private static void printTables(
      PrintWriter out,
      Path dir,
      Boolean inUse,
      Map<String, TopicFiles> topics,
      List<GroupOffset> groups) {
    out.println("Log directory " + dir);
    if (Boolean.TRUE.equals(inUse)) {
      out.println(
          "In use: a process has it open, so this is a read-only snapshot that moves on as it "
              + "writes (an active segment may end in a record still being written).");
    }
    out.println();
    Table topicTable = new Table("TOPIC", "SEGMENTS", "START", "END", "RECORDS", "BYTES");
    for (TopicFiles t : topics.values()) {
      topicTable.row(
          t.name(),
          t.segments().size(),
          t.startOffset(),
          t.endOffset(),
          t.endOffset() - t.startOffset(),
          t.sizeBytes());
    }
    topicTable.print(out);
    for (TopicFiles t : topics.values()) {
      out.println();
      out.println("Segments of " + t.name());
      Table segments = new Table("BASE", "FILE", "BYTES", "FIRST", "LAST", "RECORDS");
      for (SegmentFile s : t.segments()) {
        boolean empty = s.recordCount() == 0;
        segments.row(
            s.baseOffset(),
            s.file().getFileName(),
            s.sizeBytes(),
            empty ? "-" : s.baseOffset(),
            empty ? "-" : s.endOffset() - 1,
            s.recordCount());
      }
      segments.print(out);
    }
    List<SegmentFile> damaged = damaged(topics);
    if (!damaged.isEmpty()) {
      out.println();
      for (SegmentFile s : damaged) {
        out.println("DAMAGE " + s.file() + ": " + s.damage());
      }
      out.println(
          "A sealed segment's count stops at its damage. 'herald log verify "
              + dir
              + "' checks every byte; 'herald log repair' quarantines damaged records keeping"
              + " every intact one.");
    }
    out.println();
    if (groups.isEmpty()) {
      out.println("No consumer groups have committed offsets.");
      return;
    }
    Table groupTable = new Table("GROUP", "TOPIC", "COMMITTED", "END", "LAG");
    for (GroupOffset g : groups) {
      groupTable.row(
          g.group(),
          g.topic(),
          g.committed(),
          g.endOffset() == null ? "(no topic)" : g.endOffset(),
          g.lag() == null ? "-" : g.lag());
    }
    groupTable.print(out);
  }
}
