package dev.rebound.common.runtime;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import dev.rebound.common.text.Redactor;
import dev.rebound.common.text.SecretKeys;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * Logback encoder writing one JSON object per line:
 * <pre>{"ts":"2025-01-31T12:00:00.123Z","level":"INFO","logger":"…","thread":"…","msg":"…",
 * "service":"ledger","correlationId":"…", …other MDC keys…, …slf4j key-value pairs…,
 * "error":{"class":"…","message":"…","stack":"…"}}</pre>
 * {@code correlationId} comes from the MDC, or else from the Vert.x context the event was logged
 * on (see {@link Correlation}); {@code service} from the logback context property
 * {@value #SERVICE_PROPERTY} set by {@link ServiceLauncher}. Fields already written are not
 * repeated: an MDC key or key-value pair named like a standard field is dropped.
 *
 * <p>Every line passes the {@link Redactor} on its way out: the message, MDC values and key-value
 * pairs (a pair named like a secret loses its value whatever it is), and a logged exception's message
 * and stack trace (with its causes). Whatever a caller logs by mistake, no secret reaches the log.
 */
public class JsonLogEncoder extends EncoderBase<ILoggingEvent> {

  public static final String SERVICE_PROPERTY = "rebound.service";

  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final byte[] EMPTY = new byte[0];
  private static final Redactor REDACTOR = new Redactor();

  @Override
  public byte[] headerBytes() {
    return EMPTY;
  }

  @Override
  public byte[] footerBytes() {
    return EMPTY;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    StringBuilder sb = new StringBuilder(256);
    Set<String> written = new HashSet<>();
    sb.append('{');
    field(sb, written, "ts", TS.format(event.getInstant()));
    field(sb, written, "level", event.getLevel().toString());
    field(sb, written, "logger", event.getLoggerName());
    field(sb, written, "thread", event.getThreadName());
    field(sb, written, "msg", REDACTOR.redact(event.getFormattedMessage()));
    String service = getContext() == null ? null : getContext().getProperty(SERVICE_PROPERTY);
    if (service != null) {
      field(sb, written, "service", service);
    }
    Map<String, String> mdc = event.getMDCPropertyMap();
    String correlationId = mdc == null ? null : mdc.get(Correlation.MDC_KEY);
    if (correlationId == null) {
      correlationId = Correlation.current().orElse(null);
    }
    if (correlationId != null) {
      field(sb, written, Correlation.MDC_KEY, correlationId);
    }
    if (mdc != null) {
      mdc.forEach((k, v) -> field(sb, written, k, redacted(k, v)));
    }
    if (event.getKeyValuePairs() != null) {
      for (KeyValuePair kv : event.getKeyValuePairs()) {
        field(sb, written, kv.key, redacted(kv.key, kv.value));
      }
    }
    IThrowableProxy error = event.getThrowableProxy();
    if (error != null && written.add("error")) {
      sb.append(",\"error\":{");
      sb.append("\"class\":");
      string(sb, error.getClassName());
      sb.append(",\"message\":");
      string(sb, error.getMessage() == null ? null : REDACTOR.redact(error.getMessage()));
      sb.append(",\"stack\":");
      string(sb, REDACTOR.redact(ThrowableProxyUtil.asString(error)));
      sb.append('}');
    }
    sb.append("}\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A value named like a secret is dropped whatever it is; any other text is redacted; numbers stay. */
  private static Object redacted(String key, Object value) {
    if (value == null || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    if (key != null && SecretKeys.isSecret(key)) {
      return "<redacted:" + SecretKeys.kindOf(key) + ">";
    }
    return REDACTOR.redact(String.valueOf(value));
  }

  private static void field(StringBuilder sb, Set<String> written, String name, Object value) {
    if (name == null || !written.add(name)) {
      return;
    }
    if (sb.length() > 1) {
      sb.append(',');
    }
    string(sb, name);
    sb.append(':');
    if (value instanceof Boolean || value instanceof Integer || value instanceof Long
        || value instanceof Short || value instanceof Byte) {
      sb.append(value);
    } else if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
      sb.append(n);
    } else {
      string(sb, value == null ? null : String.valueOf(value));
    }
  }

  /** Appends a JSON string literal (or null), escaping quotes, backslashes and control characters. */
  static void string(StringBuilder sb, String s) {
    if (s == null) {
      sb.append("null");
      return;
    }
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
