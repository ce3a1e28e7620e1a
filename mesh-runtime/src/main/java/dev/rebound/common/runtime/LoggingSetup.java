package dev.rebound.common.runtime;

/**
 * System properties that route Vert.x and Hazelcast logging through SLF4J (and so through
 * {@link JsonLogEncoder}) and turn Hazelcast's phone-home off. They must be set before either
 * library creates its first logger, so the launcher and {@link ReboundVertx} apply them first.
 * Values already set on the command line win.
 */
final class LoggingSetup {

  private LoggingSetup() {
  }

  static void apply() {
    setIfAbsent("vertx.logger-delegate-factory-class-name",
        "io.vertx.core.logging.SLF4JLogDelegateFactory");
    setIfAbsent("hazelcast.logging.type", "slf4j");
    setIfAbsent("hazelcast.phone.home.enabled", "false");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
