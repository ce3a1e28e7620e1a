package dev.rebound.notifier.domain;

import dev.rebound.common.policy.ConfigMap.Nulls;
import dev.rebound.common.policy.ConfigMap;
import dev.rebound.common.policy.PolicyException;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.Month;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One of Alertmanager's {@code time_intervals}: {@code times} (start inclusive, end exclusive, {@code HH:MM},
 * end up to {@code 24:00}), {@code weekdays} ({@code monday:friday}), {@code days-of-month} ({@code 1:5},
 * negative counts from the month's end: {@code -3:-1}), {@code months} ({@code january:march} or
 * {@code 1:3}), {@code years} ({@code 2025:2026}) — ranges inclusive — in {@code location} (an IANA zone,
 * UTC by default). An empty field matches everything; within a field one range must match; all fields must
 * match.
 */
public record TimeInterval(List<int[]> minutesOfDay, List<int[]> weekdays, List<int[]> daysOfMonth,
    List<int[]> months, List<int[]> years, ZoneId location) {

  static final Set<String> FIELDS = Set.of("times", "weekdays", "daysOfMonth", "months", "years", "location");

  public TimeInterval {
    minutesOfDay = List.copyOf(minutesOfDay);
    weekdays = List.copyOf(weekdays);
    daysOfMonth = List.copyOf(daysOfMonth);
    months = List.copyOf(months);
    years = List.copyOf(years);
  }

  public boolean contains(Instant instant) {
    ZonedDateTime t = instant.atZone(location);
    int minute = t.getHour() * 60 + t.getMinute();
    if (!minutesOfDay.isEmpty() && minutesOfDay.stream().noneMatch(r -> minute >= r[0] && minute < r[1])) {
      return false;
    }
    int day = t.getDayOfWeek().getValue();
    if (!inAny(weekdays, day) || !inAny(months, t.getMonthValue()) || !inAny(years, t.getYear())) {
      return false;
    }
    if (daysOfMonth.isEmpty()) {
      return true;
    }
    int length = YearMonth.from(t).lengthOfMonth();
    for (int[] r : daysOfMonth) {
      int from = r[0] < 0 ? length + 1 + r[0] : r[0];
      int to = r[1] < 0 ? length + 1 + r[1] : r[1];
      if (t.getDayOfMonth() >= from && t.getDayOfMonth() <= Math.min(to, length)) {
        return true;
      }
    }
    return false;
  }

  private static boolean inAny(List<int[]> ranges, int v) {
    return ranges.isEmpty() || ranges.stream().anyMatch(r -> v >= r[0] && v <= r[1]);
  }

  static TimeInterval fromMap(String path, Object raw) {
    ConfigMap r = ConfigMap.of(path, raw, FIELDS, Nulls.ABSENT);
    List<int[]> times = new ArrayList<>();
    List<?> rawTimes = r.list("times");
    for (int i = 0; i < rawTimes.size(); i++) {
      String at = r.key("times") + "[" + i + "]";
      ConfigMap t = ConfigMap.of(at, rawTimes.get(i), Set.of("startTime", "endTime"), Nulls.ABSENT);
      int start = clock(t.key("start-time"), t.requiredText("startTime"));
      int end = clock(t.key("end-time"), t.requiredText("endTime"));
      PolicyException.check(start < end, at, "start-time must be before end-time");
      times.add(new int[] {start, end});
    }
    ZoneId zone = ZoneOffset.UTC;
    String location = r.text("location", null);
    if (location != null && !location.equalsIgnoreCase("UTC")) {
      try {
        zone = location.equalsIgnoreCase("Local") ? ZoneId.systemDefault() : ZoneId.of(location);
      } catch (DateTimeException e) {
        throw new PolicyException(r.key("location"), "must be an IANA time zone such as Europe/Berlin, was '" + location + "'");
      }
    }
    return new TimeInterval(times, ranges(r, "weekdays", 1, 7, TimeInterval::weekday),
        ranges(r, "daysOfMonth", -31, 31, Integer::parseInt), ranges(r, "months", 1, 12, TimeInterval::month),
        ranges(r, "years", 1, 9999, Integer::parseInt), zone);
  }

  private interface Parse {
    int apply(String s);
  }

  private static List<int[]> ranges(ConfigMap r, String field, int min, int max, Parse parse) {
    List<int[]> out = new ArrayList<>();
    List<String> items = r.strings(field);
    for (int i = 0; i < items.size(); i++) {
      String at = r.key(kebab(field)) + "[" + i + "]";
      String item = items.get(i).toLowerCase(Locale.ROOT);
      String[] parts = item.split(":", -1);
      try {
        int from = parse.apply(parts[0].trim());
        int to = parts.length > 1 ? parse.apply(parts[1].trim()) : from;
        if (parts.length > 2 || from < min || to > max || from == 0 || to == 0
            || (Integer.signum(from) == Integer.signum(to) && from > to)) {
          throw new IllegalArgumentException();
        }
        out.add(new int[] {from, to});
      } catch (RuntimeException e) {
        throw new PolicyException(at, "must be a value or an inclusive range start:end within " + min + ".." + max
            + ", was '" + items.get(i) + "'");
      }
    }
    return out;
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
  }

  private static int weekday(String s) {
    for (DayOfWeek d : DayOfWeek.values()) {
      if (d.getDisplayName(TextStyle.FULL, Locale.ENGLISH).equalsIgnoreCase(s)) {
        return d.getValue();
      }
    }
    throw new IllegalArgumentException(s);
  }

  private static int month(String s) {
    for (Month m : Month.values()) {
      if (m.getDisplayName(TextStyle.FULL, Locale.ENGLISH).equalsIgnoreCase(s)) {
        return m.getValue();
      }
    }
    return Integer.parseInt(s);
  }

  private static int clock(String field, String s) {
    String[] hm = s.split(":");
    try {
      int h = Integer.parseInt(hm[0]);
      int m = Integer.parseInt(hm[1]);
      if (hm.length == 2 && h >= 0 && m >= 0 && m < 60 && (h < 24 || h == 24 && m == 0)) {
        return h * 60 + m;
      }
    } catch (RuntimeException e) {
      // reported below
    }
    throw new PolicyException(field, "must be a time of day HH:MM (00:00 to 24:00), was '" + s + "'");
  }

  /** Named intervals as configured under {@code notifier.time-intervals}: a name matches when any of its intervals does. */
  public record Named(String name, List<TimeInterval> intervals) {
    public boolean contains(Instant instant) {
      return intervals.stream().anyMatch(i -> i.contains(instant));
    }

    static Map<String, Named> fromList(String path, List<?> items) {
      Map<String, Named> out = new LinkedHashMap<>();
      for (int i = 0; i < items.size(); i++) {
        ConfigMap r = ConfigMap.of(path + "[" + i + "]", items.get(i), Set.of("name", "timeIntervals"), Nulls.ABSENT);
        String name = r.requiredText("name");
        PolicyException.check(!out.containsKey(name), r.key("name"), "'" + name + "' is defined twice");
        List<TimeInterval> intervals = new ArrayList<>();
        List<?> raw = r.list("timeIntervals");
        for (int j = 0; j < raw.size(); j++) {
          intervals.add(fromMap(r.key("time-intervals") + "[" + j + "]", raw.get(j)));
        }
        out.put(name, new Named(name, intervals));
      }
      return out;
    }
  }
}
