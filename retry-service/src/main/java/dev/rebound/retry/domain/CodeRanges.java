package dev.rebound.retry.domain;

import dev.rebound.common.policy.PolicyException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A set of numeric codes written as single codes and ranges: {@code 429}, {@code 5xx} (500–599),
 * {@code 500-504}. Used for HTTP statuses and process exit codes.
 */
public record CodeRanges(List<Range> ranges) {

  private static final Pattern CLASS = Pattern.compile("([1-9])xx", Pattern.CASE_INSENSITIVE);
  private static final Pattern RANGE = Pattern.compile("(-?\\d{1,6})\\s*(?:-|\\.\\.)\\s*(-?\\d{1,6})");

  public static final CodeRanges NONE = new CodeRanges(List.of());

  /** Both bounds included. */
  public record Range(int from, int to) {
    public Range {
      if (from > to) {
        throw new IllegalArgumentException("a range must not end before it starts: " + from + "-" + to);
      }
    }

    boolean contains(int code) {
      return code >= from && code <= to;
    }

    @Override
    public String toString() {
      if (from == to) {
        return Integer.toString(from);
      }
      if (from % 100 == 0 && to == from + 99 && from >= 100 && from <= 900) {
        return from / 100 + "xx";
      }
      return from + "-" + to;
    }
  }

  public CodeRanges {
    ranges = List.copyOf(ranges);
  }

  public static CodeRanges of(int... codes) {
    List<Range> out = new ArrayList<>();
    for (int c : codes) {
      out.add(new Range(c, c));
    }
    return new CodeRanges(out);
  }

  /**
   * @param field the key path named in an error, with {@code [i]} appended per item
   * @throws PolicyException naming the item
   */
  public static CodeRanges parse(String field, List<String> items) {
    List<Range> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String s = items.get(i).trim();
      String key = field + "[" + i + "]";
      Matcher cls = CLASS.matcher(s);
      Matcher range = RANGE.matcher(s);
      try {
        if (cls.matches()) {
          int c = Integer.parseInt(cls.group(1)) * 100;
          out.add(new Range(c, c + 99));
        } else if (range.matches()) {
          out.add(new Range(Integer.parseInt(range.group(1)), Integer.parseInt(range.group(2))));
        } else {
          int c = Integer.parseInt(s);
          out.add(new Range(c, c));
        }
      } catch (IllegalArgumentException e) {
        throw new PolicyException(key, "must be a code (429), a class (5xx) or a range (500-504), was '" + s + "'");
      }
    }
    return new CodeRanges(out);
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** The range containing {@code code}, or null. */
  public Range find(Integer code) {
    if (code == null) {
      return null;
    }
    for (Range r : ranges) {
      if (r.contains(code)) {
        return r;
      }
    }
    return null;
  }

  public List<String> texts() {
    return ranges.stream().map(Range::toString).toList();
  }

  @Override
  public String toString() {
    return String.join(", ", texts());
  }
}
