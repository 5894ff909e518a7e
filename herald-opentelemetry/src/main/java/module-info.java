/**
 * OpenTelemetry tracing for Herald: {@link dev.herald.opentelemetry.HeraldTracing}. The
 * OpenTelemetry API jars are automatic modules ({@code Automatic-Module-Name} in their manifests);
 * {@code io.opentelemetry.api} is required transitively because {@code HeraldTracing.create} takes
 * its {@code OpenTelemetry}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.herald.opentelemetry {
  requires transitive dev.herald;
  requires transitive io.opentelemetry.api;
  requires io.opentelemetry.context;

  exports dev.herald.opentelemetry;
}
