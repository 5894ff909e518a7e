package dev.herald.examples.spring.shop;

import dev.herald.examples.spring.shop.ShopEvents.OrderPlaced;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * With {@code shop.orders=N}: places N orders once the application has started, waits up to a
 * minute for each to end, and prints how many shipped and how many were cancelled. The application
 * keeps running after that ({@code spring.main.keep-alive}), handling events until it is stopped.
 */
@Component
@ConditionalOnProperty("shop.orders")
class OrderRun implements ApplicationRunner {
  private final Storefront storefront;
  private final int orders;

  OrderRun(Storefront storefront, ShopProperties properties) {
    this.storefront = storefront;
    this.orders = properties.orders();
  }

  @Override
  public void run(ApplicationArguments args) throws Exception {
    List<CompletableFuture<String>> outcomes = new ArrayList<>(orders);
    for (int i = 0; i < orders; i++) {
      outcomes.add(storefront.place(new OrderPlaced("o-" + i, "sku-" + (i % 5), 1, 1999)));
    }
    CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(1, TimeUnit.MINUTES);
    Map<String, Long> byOutcome =
        outcomes.stream()
            .map(CompletableFuture::join)
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    // The run's result, for the person who asked for it; the application's own logs go elsewhere.
    System.out.println(orders + " orders ended: " + byOutcome);
  }
}
