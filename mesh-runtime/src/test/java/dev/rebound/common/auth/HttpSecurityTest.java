package dev.rebound.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.client.Scope;
import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.runtime.RuntimeKeys;
import dev.rebound.common.runtime.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpSecurityTest {
  @TempDir
  Path dir;

  private HttpSecurity load(String tokensYaml) throws Exception {
    Path yaml = dir.resolve("rebound.yaml");
    Files.writeString(yaml, "auth:\n  tokens:\n" + tokensYaml);
    return HttpSecurity.from(Settings.load(Map.of(), Optional.of(yaml)), RuntimeKeys.RUN_HOST);
  }

  @Test
  void aTokenConfiguredByHashOrFileAuthenticatesAsItsNameWithItsScopes() throws Exception {
    Path file = dir.resolve("ops");
    Files.writeString(file, "ops-secret-0123456789\n");
    String hash = HexFormat.of().formatHex(HttpSecurity.sha256("ci-secret-0123456789"));
    HttpSecurity security = load("    - {name: ci, scopes: [worker], sha256: " + hash.toUpperCase() + "}\n"
        + "    - {name: ops, scopes: 'operator, metrics', token-file: " + file + "}\n");
    assertThat(security.enforced()).isTrue();
    assertThat(security.authenticate("ci-secret-0123456789")).hasValueSatisfying(c -> {
      assertThat(c.name()).isEqualTo("ci");
      assertThat(c.allows(Scope.READ)).isTrue();
      assertThat(c.allows(Scope.OPERATOR)).isFalse();
    });
    assertThat(security.authenticate("ops-secret-0123456789")).map(Caller::name).contains("ops");
    assertThat(security.authenticate("ci-secret-012345678")).isEmpty();
    assertThat(security.authenticate(null)).isEmpty();
    assertThat(security.describe()).contains("ci").doesNotContain(hash).doesNotContain(hash.toUpperCase());
  }

  @Test
  void aBadTokenEntryIsRefusedNamingItsFieldWithoutShowingTheValue() {
    assertThatThrownBy(() -> load("    - {name: ci, scopes: [worker], sha256: my-actual-token-pasted-here}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("auth.tokens[0].sha256")
        .hasMessageNotContaining("my-actual-token");
    assertThatThrownBy(() -> load("    - {name: ci, scopes: [admin], sha256: " + "a".repeat(64) + "}\n"))
        .hasMessageContaining("unknown scope 'admin'");
    assertThatThrownBy(() -> load("    - {name: ci, scopes: [read]}\n")).hasMessageContaining("exactly one of");
    assertThatThrownBy(() -> load("    - {name: ci, scopes: [read], sha256: " + "a".repeat(64) + "}\n"
        + "    - {name: ci, scopes: [read], sha256: " + "b".repeat(64) + "}\n")).hasMessageContaining("twice");
  }

  @Test
  void onlyLoopbackAddressesMayServeWithoutTokens() {
    assertThat(HttpSecurity.isLoopback("127.0.0.1")).isTrue();
    assertThat(HttpSecurity.isLoopback("::1")).isTrue();
    assertThat(HttpSecurity.isLoopback("localhost")).isTrue();
    assertThat(HttpSecurity.isLoopback("0.0.0.0")).isFalse();
    assertThat(HttpSecurity.isLoopback("10.0.0.5")).isFalse();
    assertThat(HttpSecurity.isLoopback("myhost.internal")).isFalse();
    assertThatThrownBy(() -> HttpSecurity.open("0.0.0.0")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth.tokens");
  }
}
