package dev.herald.cli;

import dev.herald.log.LogFiles;
import dev.herald.log.LogOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The log directory argument and the options every log command reads it with. */
final class LogDirectoryOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "DIR",
      description = "The log directory (holds topics/ and consumer-offsets).")
  Path dir;

  @Option(
      names = "--max-record-bytes",
      paramLabel = "BYTES",
      defaultValue = "1048576",
      description =
          "Largest record the log was written with (default: ${DEFAULT-VALUE}); larger length "
              + "fields are read as corruption.")
  int maxRecordBytes;

  LogOptions options() {
    if (maxRecordBytes <= 0) {
      throw new ParameterException(spec.commandLine(), "--max-record-bytes must be > 0");
    }
    return LogOptions.builder()
        .maxRecordBytes(maxRecordBytes)
        .segmentBytes(Math.max(maxRecordBytes, LogOptions.defaults().segmentBytes()))
        .build();
  }

  /**
   * The directory, checked to be an existing log directory so that opening it never creates one.
   *
   * @throws ParameterException when it is missing or not a log directory
   */
  Path existingLogDirectory() {
    if (!Files.isDirectory(dir)) {
      throw new ParameterException(spec.commandLine(), "no such directory: " + dir);
    }
    if (!LogFiles.isLogDirectory(dir, options())) {
      throw new ParameterException(
          spec.commandLine(), "not a Herald log directory (no topics/ inside): " + dir);
    }
    return dir;
  }
}
