package dev.herald.examples.spring.shop;

import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With {@code shop.traces=log}: every finished span is printed to the log by OpenTelemetry's
 * logging exporter (logger {@code io.opentelemetry.exporter.logging.LoggingSpanExporter}, one line
 * a span). Spring Boot builds its {@code OpenTelemetry} bean with this tracer provider, and the
 * Herald starter installs {@code HeraldTracing} on it. Without the property, Boot's SDK still makes
 * the spans but exports them nowhere; a real deployment declares an OTLP exporter here instead.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "shop.traces", havingValue = "log")
class ShopTracing {
  @Bean
  SdkTracerProvider shopTracerProvider(Resource resource) {
    return SdkTracerProvider.builder()
        .setResource(resource)
        .addSpanProcessor(SimpleSpanProcessor.create(LoggingSpanExporter.create()))
        .build();
  }
}
