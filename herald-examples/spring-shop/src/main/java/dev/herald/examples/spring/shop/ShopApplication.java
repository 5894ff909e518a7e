package dev.herald.examples.spring.shop;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The shop as a Spring Boot application: each service is a bean whose {@code @Subscribe} methods
 * the Herald starter registers with the auto-configured bus. The transport, Kafka by default, comes
 * from {@code application.properties}; with {@code shop.orders=N} the storefront places N orders at
 * start-up and prints how they ended; with {@code shop.traces=log} the spans are printed ({@link
 * ShopTracing}). It runs until it is stopped (Ctrl-C or SIGTERM), which closes the bus gracefully.
 */
@SpringBootApplication
@EnableConfigurationProperties(ShopProperties.class)
public class ShopApplication {
  public static void main(String[] args) {
    SpringApplication.run(ShopApplication.class, args);
  }
}
