package dev.rebound.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import dev.rebound.common.text.TextBuffer;
import org.junit.jupiter.api.Test;

class JsonTextTest {
  @Test
  void writesWhatJsonObjectEncodeWrites() {
    JsonObject o = new JsonObject().put("fingerprint", "53d379410d47c181")
        .put("template", "quote \" backslash \\ tab \t newline \n bell \u0007 nul \u0000 del \u007f")
        .put("unicode", "caf\u00e9 \u2014 \u201cquoted\u201d \ud83d\ude00").put("transient", true).put("confidence", 0.2)
        .put("tiny", 1.0E-5).put("retryAfterMs", 30_000L).put("count", 7).put("ruleId", (String) null)
        .put("recommendations", new JsonArray(List.of("a", "b"))).put("nested", new JsonObject().put("k", false))
        .put("map", Map.of("x", 1)).put("list", List.of(1, "two"));
    assertThat(JsonText.append(new TextBuffer(4), o).toString()).isEqualTo(o.encode());
  }
}
