package dev.herald.spring.boot;

import dev.herald.EventBus;
import dev.herald.Registration;
import dev.herald.Subscribe;
import dev.herald.SubscribeOptions;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Registers every singleton bean that has {@link Subscribe} methods with the bus ({@link
 * EventBus#registerWithDefaults}, with the {@code herald.subscription.*} options as defaults) once
 * the context is refreshed, when every bean is fully built, and ends those registrations when the
 * context stops, before the bus closes: no handler runs on a half-built bean, and no new event
 * reaches a listener whose bean may be going away (the events already in its mailbox are still
 * delivered, and the bus's close waits for them).
 *
 * <p>Phase {@value #PHASE} ({@code DEFAULT_PHASE - 4096}): below Spring Boot's web server, whose
 * start and stop run in phase {@code DEFAULT_PHASE - 2048} ({@code WebServerStartStopLifecycle};
 * its graceful shutdown runs above, in {@code DEFAULT_PHASE - 1024}). A lower phase starts earlier
 * and stops later: the listeners are registered before the web server takes requests (which may
 * publish), and unregistered only once it has stopped. Thread-safe.
 */
class HeraldListenerRegistrar implements SmartLifecycle {
  /**
   * Below the phase of Spring Boot's web server start and stop ({@code DEFAULT_PHASE - 2048}), so
   * started before it and stopped after it.
   */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.spring");

  private final ConfigurableListableBeanFactory beanFactory;
  private final ObjectProvider<EventBus> bus;
  private final SubscribeOptions defaults;
  private final boolean lazyInitialization;
  private final Map<Class<?>, Boolean> listenerClasses = new ConcurrentHashMap<>();
  private final List<Registration> registrations = new ArrayList<>(); // guarded by this
  private boolean running; // guarded by this

  HeraldListenerRegistrar(
      ConfigurableListableBeanFactory beanFactory,
      ObjectProvider<EventBus> bus,
      SubscribeOptions defaults,
      boolean lazyInitialization) {
    this.beanFactory = beanFactory;
    this.bus = bus;
    this.defaults = defaults;
    this.lazyInitialization = lazyInitialization;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    EventBus target = bus.getObject();
    List<String> notInspected = new ArrayList<>();
    try {
      for (String name : beanFactory.getBeanNamesForType(Object.class, false, false)) {
        Class<?> type = beanFactory.getType(name, false);
        Object bean;
        if (type != null && isListener(ClassUtils.getUserClass(type))) {
          bean = beanFactory.getBean(name);
        } else if (hidesItsClass(name, type)) {
          // A lazy bean not made yet, declared as an interface (a @Bean method's return type, say):
          // only the instance tells whether its class has @Subscribe methods. A listener bean must
          // listen, so it is made now, as a lazy bean declared as its class already is above.
          if (lazyInitialization) {
            notInspected.add(name);
            continue;
          }
          try {
            bean = beanFactory.getBean(name);
          } catch (BeansException e) {
            LOG.warn(
                "The lazy bean '{}' is declared as {}, which has no @Subscribe methods; making it"
                    + " to look for any in its class failed, so if it is a listener it is not"
                    + " registered: {}",
                name,
                type == null ? "an unknown type" : type.getName(),
                e.toString());
            continue;
          }
          if (!isListener(ClassUtils.getUserClass(bean.getClass()))) {
            continue;
          }
        } else {
          continue;
        }
        registrations.add(target.registerWithDefaults(bean, defaults));
        LOG.debug("Registered the @Subscribe methods of bean '{}'", name);
      }
    } catch (RuntimeException e) {
      closeAll();
      throw e;
    }
    if (!notInspected.isEmpty()) {
      LOG.warn(
          "spring.main.lazy-initialization is on: the lazy beans {} are declared as types without"
              + " @Subscribe methods and were not made to look for any in their classes; if one is a"
              + " listener, it is not registered: declare it as its class (the @Bean method's"
              + " return type), or make it not lazy (@Lazy(false))",
          notInspected);
    }
    running = true;
  }

  /**
   * Whether bean {@code name} is a lazy application bean not made yet whose declared {@code type}
   * (null: unknown) may hide a class with {@code @Subscribe} methods: an interface, an abstract
   * class or {@code Object}.
   */
  private boolean hidesItsClass(String name, Class<?> type) {
    if (beanFactory.containsSingleton(name) || !beanFactory.containsBeanDefinition(name)) {
      return false;
    }
    BeanDefinition definition = beanFactory.getBeanDefinition(name);
    return definition.isLazyInit()
        && definition.isSingleton()
        && !definition.isAbstract()
        && definition.getRole() == BeanDefinition.ROLE_APPLICATION
        && (type == null
            || type == Object.class
            || type.isInterface()
            || Modifier.isAbstract(type.getModifiers()));
  }

  @Override
  public synchronized void stop() {
    closeAll();
    running = false;
  }

  @Override
  public synchronized boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** The registrations made, one per listener bean. */
  synchronized List<Registration> registrations() {
    return List.copyOf(registrations);
  }

  private void closeAll() {
    for (int i = registrations.size() - 1; i >= 0; i--) {
      registrations.get(i).close();
    }
    registrations.clear();
  }

  private boolean isListener(Class<?> type) {
    return listenerClasses.computeIfAbsent(type, HeraldListenerRegistrar::hasSubscribeMethod);
  }

  private static boolean hasSubscribeMethod(Class<?> type) {
    if (!AnnotationUtils.isCandidateClass(type, Subscribe.class)) {
      return false;
    }
    boolean[] found = {false};
    ReflectionUtils.doWithMethods(
        type,
        m -> found[0] = true,
        (Method m) -> !found[0] && m.isAnnotationPresent(Subscribe.class));
    return found[0];
  }
}
