package dev.herald.examples.spring.shop;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The shop's own settings, under {@code shop.}: {@code orders}, how many orders {@link OrderRun}
 * places at start-up (none without it). A bad value fails the start with Spring Boot's "APPLICATION
 * FAILED TO START" report naming the property, before any order is placed.
 *
 * @param orders the orders to place at start-up, at least 1; {@code null} when not set
 */
@ConfigurationProperties("shop")
public record ShopProperties(Integer orders) {
  public ShopProperties {
    if (orders != null && orders < 1) {
      throw new IllegalArgumentException("shop.orders must be at least 1, was " + orders);
    }
  }
}
