package dev.rebound.common.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The PEM files TLS settings name, checked when the settings are read, so that a wrong path or a file of
 * the wrong kind stops the start with the key's name instead of failing later inside Netty.
 */
final class PemFiles {
  static final String CERTIFICATE = "CERTIFICATE";
  static final String PRIVATE_KEY = "PRIVATE KEY";

  private PemFiles() {
  }

  /** The file {@code key} names, if set; it must be readable and hold a PEM block of the {@code kind}. */
  static Optional<String> find(Settings settings, ConfigKey<String> key, String kind) {
    return settings.find(key).filter(p -> !p.isBlank()).map(path -> check(key, path.trim(), kind));
  }

  static String check(ConfigKey<String> key, String path, String kind) {
    String text;
    try {
      text = Files.readString(Path.of(path), StandardCharsets.ISO_8859_1);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(key.name(), "Invalid configuration '" + key.name() + "' (env " + key.envVar()
          + "): cannot read '" + path + "' (" + e.getClass().getSimpleName() + "); expected a readable PEM file", e);
    }
    boolean found = kind.equals(PRIVATE_KEY)
        ? text.matches("(?s).*-----BEGIN ([A-Z]+ )?PRIVATE KEY-----.*")
        : text.contains("-----BEGIN " + kind + "-----");
    if (!found) {
      throw new ConfigException(key.name(), "Invalid configuration '" + key.name() + "' (env " + key.envVar()
          + "): '" + path + "' holds no PEM " + kind.toLowerCase(java.util.Locale.ROOT) + " (-----BEGIN " + kind
          + "-----)");
    }
    return path;
  }

  /** Either all of {@code keys} are set or none: a partial TLS setup is refused, never half applied. */
  static void allOrNone(Settings settings, List<ConfigKey<String>> keys) {
    List<String> set = keys.stream().filter(k -> settings.find(k).filter(v -> !v.isBlank()).isPresent())
        .map(ConfigKey::name).toList();
    if (!set.isEmpty() && set.size() < keys.size()) {
      List<String> missing = keys.stream().map(ConfigKey::name).filter(n -> !set.contains(n)).toList();
      throw new ConfigException(missing.get(0), "Incomplete TLS configuration: " + String.join(", ", set)
          + (set.size() == 1 ? " is" : " are") + " set but " + String.join(", ", missing)
          + (missing.size() == 1 ? " is" : " are") + " not; set all of " + keys.stream().map(ConfigKey::name).toList()
          + " or none");
    }
  }
}
