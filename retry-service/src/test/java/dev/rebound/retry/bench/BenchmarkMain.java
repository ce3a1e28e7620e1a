package dev.rebound.retry.bench;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.Main;

/**
 * Runs JMH from {@code mvn exec:java}. exec:java puts the test class path in a class loader, not in
 * {@code java.class.path}, which JMH hands to the forked benchmark JVM; this copies it over first.
 */
public final class BenchmarkMain {
  private BenchmarkMain() {
  }

  public static void main(String[] args) throws Exception {
    List<String> entries = new ArrayList<>();
    for (ClassLoader cl = Thread.currentThread().getContextClassLoader(); cl != null; cl = cl.getParent()) {
      if (cl instanceof URLClassLoader ucl) {
        for (URL url : ucl.getURLs()) {
          entries.add(new File(url.toURI()).getPath());
        }
      }
    }
    if (!entries.isEmpty()) {
      System.setProperty("java.class.path", String.join(File.pathSeparator, entries));
    }
    Main.main(args);
  }
}
