package dev.rebound.common.auth;

import dev.rebound.common.client.Scope;
import java.util.Objects;
import java.util.Set;

/**
 * One configured bearer token: its name (the actor recorded for what it does), its scopes, and the SHA-256 of
 * the token. The token itself is never kept; the hash is never printed.
 */
public record AccessToken(String name, Set<Scope> scopes, byte[] sha256) {

  public AccessToken {
    Objects.requireNonNull(name, "name");
    scopes = Set.copyOf(scopes);
    sha256 = sha256.clone();
  }

  /** What the token may do, as the caller it authenticates. */
  public Caller caller() {
    return new Caller(name, scopes, true);
  }

  @Override
  public byte[] sha256() {
    return sha256.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AccessToken t && t.name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return "AccessToken[" + name + " " + scopes + "]";
  }
}
