package dev.rebound.common.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's sign-ins, held on the server: a browser cannot send a bearer header with a form, so the
 * sign-in form takes the token once, checks it like any request's, and sets a cookie holding only a random
 * session id ({@code HttpOnly; SameSite=Strict}). The session remembers the token's caller for
 * {@link #LIFETIME}; signing out, or restarting the process, forgets it.
 */
public final class DashboardSessions {
  /** How long a sign-in lasts. */
  public static final Duration LIFETIME = Duration.ofHours(12);
  /** At most this many sessions are kept; the oldest go first. */
  static final int MAX_SESSIONS = 10_000;

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;

  private record Session(Caller caller, Instant expires) {
  }

  DashboardSessions() {
    this(Clock.systemUTC());
  }

  DashboardSessions(Clock clock) {
    this.clock = clock;
  }

  /** A new session for {@code caller}: its id, the cookie's value. */
  public String open(Caller caller) {
    Instant now = clock.instant();
    if (sessions.size() >= MAX_SESSIONS) {
      sessions.values().removeIf(s -> !s.expires().isAfter(now));
      Iterator<String> oldest = sessions.keySet().iterator();
      while (sessions.size() >= MAX_SESSIONS && oldest.hasNext()) {
        oldest.next();
        oldest.remove();
      }
    }
    byte[] id = new byte[32];
    random.nextBytes(id);
    String key = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    sessions.put(key, new Session(caller, now.plus(LIFETIME)));
    return key;
  }

  /** The caller of a live session; empty for an unknown or expired id. */
  public Optional<Caller> find(String id) {
    if (id == null || id.isEmpty()) {
      return Optional.empty();
    }
    Session s = sessions.get(id);
    if (s == null) {
      return Optional.empty();
    }
    if (!s.expires().isAfter(clock.instant())) {
      sessions.remove(id);
      return Optional.empty();
    }
    return Optional.of(s.caller());
  }

  /** Forgets a session (signing out). */
  public void close(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }
}
