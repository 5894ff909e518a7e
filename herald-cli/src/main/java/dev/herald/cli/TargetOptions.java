package dev.herald.cli;

import java.net.URI;
import java.nio.file.Files;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Where an operator command goes: a gateway ({@code --url}, default {@value #DEFAULT_URL}, with
 * {@code --token} or {@code HERALD_TOKEN}), or a store opened directly ({@code --data DIR}, which
 * must exist, or {@code --kafka BOOTSTRAP}).
 */
final class TargetOptions {
  static final String DEFAULT_URL = "http://127.0.0.1:8080";
  static final String TOKEN_VARIABLE = "HERALD_TOKEN";

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @ArgGroup(exclusive = true)
  Where where;

  /** At most one of a gateway and a store. */
  static final class Where {
    @Option(
        names = "--url",
        paramLabel = "URL",
        required = true,
        description = "The gateway (default: " + DEFAULT_URL + ").")
    URI url;

    @ArgGroup(exclusive = true)
    StoreOptions store;
  }

  @Mixin KafkaOptions kafkaTopics;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "The bearer token for the gateway (default: the HERALD_TOKEN variable).")
  String token;

  boolean direct() {
    return where != null && where.store != null;
  }

  /**
   * Opens the target.
   *
   * @throws ParameterException for a URL that is not http(s) or a --data directory that is missing
   * @throws Failure when the store cannot be opened
   */
  Target open() {
    return open(false);
  }

  /**
   * Opens the target for a command that only reads: on Kafka, topics that are missing are not
   * created, and the target answers that nothing was published there.
   *
   * @throws ParameterException as {@link #open()}
   * @throws Failure when the store cannot be opened
   */
  Target openToRead() {
    return open(true);
  }

  private Target open(boolean readOnly) {
    kafkaTopics.requireKafka(spec, direct() && where.store.kafka != null);
    if (direct()) {
      StoreOptions store = where.store;
      if (store.data != null && !Files.isDirectory(store.data)) {
        throw new ParameterException(spec.commandLine(), "no such directory: " + store.data);
      }
      return readOnly
          ? store.openExisting(kafkaTopics, spec.commandLine().getErr())
          : new StoreTarget(store.open(kafkaTopics), store.describe());
    }
    URI url = where == null || where.url == null ? URI.create(DEFAULT_URL) : where.url;
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
      throw new ParameterException(
          spec.commandLine(), "--url must be an http:// or https:// address: " + url);
    }
    String t = token != null ? token : System.getenv(TOKEN_VARIABLE);
    return new HttpTarget(url, t, spec.commandLine().getErr());
  }
}
