package dev.rebound.ledger.domain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption at rest of the failure texts the ledger stores (message, stack trace, details), with
 * AES-GCM. Keys come from a key file, one {@code id:base64-key} per line (16, 24 or 32 bytes; blank
 * lines and {@code #} comments ignored). The first key encrypts new writes; every key decrypts, chosen
 * by the id stored with the ciphertext, so rotating is: put a new key first, keep the old ones until the
 * rows they wrote have aged out (retention) — old rows stay readable meanwhile.
 *
 * <p>A stored value is {@code rbenc:v1:<id>:<base64(12-byte nonce ‖ ciphertext ‖ tag)>}; the column's
 * name is bound in as associated data, so a ciphertext moved to another column does not decrypt.
 * Text that is not in that form (rows written before encryption was turned on) is returned as is.
 * {@link #NONE} stores and reads plaintext.
 */
public final class FailureCipher {

  public static final FailureCipher NONE = new FailureCipher(Map.of(), null);

  private static final String PREFIX = "rbenc:v1:";
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, SecretKeySpec> keys;
  private final String writeKeyId;

  private FailureCipher(Map<String, SecretKeySpec> keys, String writeKeyId) {
    this.keys = keys;
    this.writeKeyId = writeKeyId;
  }

  /**
   * The keys of a key file's lines.
   *
   * @throws IllegalArgumentException naming the line (never the key) when a line is malformed
   */
  public static FailureCipher fromLines(List<String> lines) {
    Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
    String first = null;
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      String id = colon < 0 ? "" : line.substring(0, colon);
      if (!KEY_ID.matcher(id).matches()) {
        throw new IllegalArgumentException("line " + (n + 1) + ": expected <id>:<base64 key>, the id being letters, "
            + "digits, '.', '_' or '-'");
      }
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(line.substring(colon + 1).strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + (n + 1) + " (key '" + id + "'): the key is not valid base64");
      }
      if (raw.length != 16 && raw.length != 24 && raw.length != 32) {
        throw new IllegalArgumentException("line " + (n + 1) + " (key '" + id + "'): an AES key is 16, 24 or 32 bytes, not "
            + raw.length + " (make one with: openssl rand -base64 32)");
      }
      if (keys.put(id, new SecretKeySpec(raw, "AES")) != null) {
        throw new IllegalArgumentException("line " + (n + 1) + ": key id '" + id + "' is used twice");
      }
      first = first == null ? id : first;
    }
    if (first == null) {
      throw new IllegalArgumentException("the file holds no key (expected lines <id>:<base64 key>)");
    }
    return new FailureCipher(Map.copyOf(keys), first);
  }

  public boolean enabled() {
    return writeKeyId != null;
  }

  /** The id of the key new writes use (null when encryption is off). */
  public String writeKeyId() {
    return writeKeyId;
  }

  /** {@code text} encrypted with the first key, bound to {@code column}; null stays null; plaintext when off. */
  public String encrypt(String column, String text) {
    if (text == null || writeKeyId == null) {
      return text;
    }
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, keys.get(writeKeyId), new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(column.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(text.getBytes(StandardCharsets.UTF_8));
      byte[] out = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
      return PREFIX + writeKeyId + ":" + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JVM", e);
    }
  }

  /** True when {@code stored} is a ciphertext of this format (whatever its key). */
  public static boolean isEncrypted(String stored) {
    return stored != null && stored.startsWith(PREFIX);
  }

  /**
   * The plaintext of a stored value: decrypted with the key named in it, or {@code stored} itself when
   * it was written in plaintext.
   *
   * @throws IllegalStateException when the key it names is not configured or the value was altered
   */
  public String decrypt(String column, String stored) {
    if (!isEncrypted(stored)) {
      return stored;
    }
    int colon = stored.indexOf(':', PREFIX.length());
    String id = colon < 0 ? "" : stored.substring(PREFIX.length(), colon);
    SecretKeySpec key = keys.get(id);
    if (key == null) {
      throw new IllegalStateException("a stored " + column + " is encrypted with key '" + id
          + "', which the key file (ledger.encryption.key-file) does not hold");
    }
    try {
      byte[] in = Base64.getDecoder().decode(stored.substring(colon + 1));
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
      c.updateAAD(column.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("a stored " + column + " encrypted with key '" + id
          + "' does not decrypt: it was altered, or the key with that id changed", e);
    }
  }
}
