package dev.rebound.notifier.domain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the files a configuration names ({@code url-file}, {@code routing-key-file}, {@code template-file}).
 * The service passes {@link #FILESYSTEM}; tests pass a map.
 */
@FunctionalInterface
public interface ConfigFiles {

  /** The file's text; throws {@link UncheckedIOException} when it cannot be read. */
  String read(String path);

  ConfigFiles FILESYSTEM = path -> {
    try {
      return Files.readString(Path.of(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  };
}
