package dev.rebound.ledger.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Checkpoints carry the SHA-256 of their JSON text. On resume the newest checkpoint whose text still
 * matches its checksum wins; corrupt ones are reported and skipped.
 */
public final class CheckpointIntegrity {
  private CheckpointIntegrity() {
  }

  public record Stored(long sequence, String state, String checksum, int attempt, String createdAt) {
  }

  public record Selection(Stored latestValid, List<Long> corruptSequences) {
  }

  public static String sha256Hex(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static boolean intact(Stored c) {
    return sha256Hex(c.state()).equalsIgnoreCase(c.checksum());
  }

  /** @param newestFirst checkpoints of one task ordered by sequence, newest first */
  public static Selection select(List<Stored> newestFirst) {
    List<Long> corrupt = new ArrayList<>();
    for (Stored c : newestFirst) {
      if (intact(c)) {
        return new Selection(c, corrupt);
      }
      corrupt.add(c.sequence());
    }
    return new Selection(null, corrupt);
  }
}
