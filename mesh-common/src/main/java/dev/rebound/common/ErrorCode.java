package dev.rebound.common;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one catalogue of error codes. Each maps to an HTTP status and to a distinct event-bus failure
 * code, so a {@code ReplyException} can be turned back into the same {@link ReboundException}.
 */
public enum ErrorCode {
  BAD_REQUEST(400, 400),
  /** No bearer token, or one that no configured token matches. */
  UNAUTHORIZED(401, 401),
  /** Not allowed: the token lacks the operation's scope, or a state-changing request from a foreign origin. */
  FORBIDDEN(403, 403),
  NOT_FOUND(404, 404),
  ILLEGAL_TRANSITION(409, 4091),
  LEASE_LOST(409, 4092),
  CONFLICT(409, 4093),
  PAYLOAD_TOO_LARGE(413, 413),
  /** A request body that is not of the route's media type ({@code application/json} unless it says otherwise). */
  UNSUPPORTED_MEDIA_TYPE(415, 415),
  OVERLOADED(429, 429),
  UNAVAILABLE(503, 503),
  INTERNAL(500, 500);

  private static final Map<Integer, ErrorCode> BY_BUS_CODE =
      Arrays.stream(values()).collect(Collectors.toMap(ErrorCode::busCode, Function.identity()));

  private final int httpStatus;
  private final int busCode;

  ErrorCode(int httpStatus, int busCode) {
    this.httpStatus = httpStatus;
    this.busCode = busCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public int busCode() {
    return busCode;
  }

  public static ErrorCode ofBusCode(int code) {
    ErrorCode c = BY_BUS_CODE.get(code);
    if (c != null) {
      return c;
    }
    // A failure code from elsewhere (-1 for a plain fail, timeouts...): classify by HTTP family.
    return code >= 400 && code < 500 ? BAD_REQUEST : INTERNAL;
  }
}
