/**
 * Micrometer metrics for Herald: {@link dev.herald.micrometer.HeraldMetrics}. micrometer-core is an
 * automatic module ({@code Automatic-Module-Name} in its manifest); it is required transitively
 * because {@code HeraldMetrics} is a {@code MeterBinder} and binds to a {@code MeterRegistry}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.herald.micrometer {
  requires transitive dev.herald;
  requires transitive micrometer.core;

  exports dev.herald.micrometer;
}
