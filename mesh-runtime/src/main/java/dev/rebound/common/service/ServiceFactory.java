package dev.rebound.common.service;

import dev.rebound.common.runtime.ConfigKey;
import dev.rebound.common.runtime.Settings;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * How a launcher gets a service: the settings keys it reads (so a launcher can refuse unknown keys
 * before anything starts) and how to build its verticle from the settings.
 */
public record ServiceFactory(List<ConfigKey<?>> keys, Function<Settings, ? extends ServiceVerticle> create) {

  public ServiceFactory {
    keys = List.copyOf(keys);
    Objects.requireNonNull(create, "create");
  }

  public static ServiceFactory of(List<ConfigKey<?>> keys, Function<Settings, ? extends ServiceVerticle> create) {
    return new ServiceFactory(keys, create);
  }
}
