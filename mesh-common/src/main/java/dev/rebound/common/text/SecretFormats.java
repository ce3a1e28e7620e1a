package dev.rebound.common.text;

import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The secret formats {@link Redactor} recognises by their shape, each with the lower-case literals
 * that must occur in a text before its regex is tried (one automaton pass finds them all). Secrets
 * without a shape of their own are found by the name they are stored under ({@link SecretKeys}).
 *
 * <p>Order matters: whole blocks and URLs first, then tokens with a vendor prefix, then the generic
 * authorization schemes, so a JWT inside a bearer header is reported as a JWT.
 */
final class SecretFormats {

  /**
   * One format. {@code group} is the regex group holding the secret (0: the whole match; the rest of
   * the match is kept); {@code valid}, when given, must accept the secret.
   */
  record Format(String kind, Pattern pattern, String[] guards, int group, Predicate<String> valid) {
  }

  private static Format f(String kind, String regex, String... guards) {
    return new Format(kind, Pattern.compile(regex), guards, 0, null);
  }

  private static Format g(String kind, int group, Predicate<String> valid, String regex, String... guards) {
    return new Format(kind, Pattern.compile(regex), guards, group, valid);
  }

  private static final String B64URL = "[A-Za-z0-9_-]";
  private static final String END = "(?![A-Za-z0-9_-])";

  static final List<Format> ALL = List.of(
      // blocks and structures
      new Format("private-key", Pattern.compile(
          "-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\\z)",
          Pattern.DOTALL), new String[] {"private key"}, 0, null),
      f("private-key", "(?s)PuTTY-User-Key-File-\\d: .*?Private-MAC: [0-9a-f]+", "putty-user-key-file"),
      f("jwt", "\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*", "eyj"),
      // webhook URLs: the host stays, the path (the secret) goes
      f("slack-webhook", "(?<=hooks\\.slack\\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_-]{10,}",
          "hooks.slack.com"),
      f("discord-webhook", "(?<=discord(?:app)?\\.com/api/webhooks/\\d{17,20}/)" + B64URL + "{60,100}", "discord"),
      f("teams-webhook", "(?<=\\.office\\.com/)(?:webhookb2|webhook)/[A-Za-z0-9@/_.-]{20,}", "office.com/webhook"),
      f("sentry-dsn", "(?<=://)[a-f0-9]{32}(?::[a-f0-9]{32})?(?=@[A-Za-z0-9.-]*sentry)", "sentry"),
      // version control, registries, CI
      f("github-token", "\\b(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255})\\b",
          "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
      f("gitlab-token", "\\bgl(?:pat|dt|rt|ptt|soat|cbt|oas|ffct|ft|imt|agent|wt|rtr)-[A-Za-z0-9_-]{20,}"
              + "|\\bGR1348941[A-Za-z0-9_-]{20,}",
          "glpat-", "gldt-", "glrt-", "glptt-", "glsoat-", "glcbt-", "gloas-", "glffct-", "glft-", "glimt-",
          "glagent-", "glwt-", "glrtr-", "gr1348941"),
      f("atlassian-token", "\\bAT(?:BB|ATT|CTT)[A-Za-z0-9_=+/.-]{24,}", "atbb", "atatt", "atctt"),
      f("npm-token", "\\bnpm_[A-Za-z0-9]{36}" + END, "npm_"),
      f("pypi-token", "\\bpypi-AgE[A-Za-z0-9_-]{50,}", "pypi-age"),
      f("docker-token", "\\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{20,}", "dckr_"),
      f("rubygems-token", "\\brubygems_[a-f0-9]{48}\\b", "rubygems_"),
      f("nuget-key", "\\boy2[a-z0-9]{43}\\b", "oy2"),
      f("clojars-token", "\\bCLOJARS_[a-z0-9]{60}\\b", "clojars_"),
      f("crates-token", "\\bcio[A-Za-z0-9]{32}\\b", "cio"),
      f("jfrog-token", "\\bAKCp[A-Za-z0-9]{69}\\b|\\bcmVmdGtu[A-Za-z0-9]{56,}", "akcp", "cmvmdgtu"),
      f("sonar-token", "\\bsq[pua]_[a-f0-9]{40}\\b", "sqp_", "squ_", "sqa_"),
      f("circleci-token", "\\bCCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}\\b", "ccipat_"),
      f("buildkite-token", "\\bbkua_[a-f0-9]{40}\\b", "bkua_"),
      f("postman-key", "\\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\\b", "pmak-"),
      // chat and alerting
      f("slack-token", "\\bxox[abposr]-[A-Za-z0-9-]{8,}|\\bxoxe(?:\\.xox[bp])?-[A-Za-z0-9-]{8,}|\\bxapp-[A-Za-z0-9-]{8,}",
          "xox", "xapp-"),
      g("discord-token", 0, SecretFormats::hasDigit,
          "\\b[MNO][A-Za-z0-9_-]{23,27}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,40}" + END, "discord", "bot "),
      f("telegram-token", "(?<![0-9])\\d{8,10}:AA[A-Za-z0-9_-]{33}" + END, ":aa"),
      // cloud
      f("aws-access-key", "\\b(?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}\\b",
          "a3t", "akia", "asia", "agpa", "aida", "aroa", "aipa", "anpa", "anva", "abia", "acca"),
      g("aws-secret", 3, null,
          "(?i)(aws_?secret_?access_?key|aws_?secret|secret_?access_?key)([\"']?\\s*[:=]\\s*[\"']?)([A-Za-z0-9/+=]{16,})",
          "secret"),
      f("azure-secret", "(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}" + "(?![A-Za-z0-9_~.-])", "q~"),
      f("google-token", "\\bya29\\.[A-Za-z0-9_-]{20,}|(?<![A-Za-z0-9])1//0[A-Za-z0-9_-]{40,}", "ya29.", "1//0"),
      f("client-secret", "\\bGOCSPX-[A-Za-z0-9_-]{28}" + END, "gocspx-"),
      f("digitalocean-token", "\\bdo[por]_v1_[a-f0-9]{64}\\b", "dop_v1_", "doo_v1_", "dor_v1_"),
      f("vault-token", "\\bhv[sbr]\\.[A-Za-z0-9_-]{24,}", "hvs.", "hvb.", "hvr."),
      f("terraform-token", "\\b[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_-]{60,}", "atlasv1"),
      f("pulumi-token", "\\bpul-[a-f0-9]{40}\\b", "pul-"),
      f("doppler-token", "\\bdp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}\\b",
          "dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."),
      f("heroku-token", "\\bHRKU-[A-Za-z0-9_-]{58,}", "hrku-"),
      f("alibaba-key", "\\bLTAI[A-Za-z0-9]{12,20}\\b", "ltai"),
      f("fly-token", "\\bFlyV1 fm[12][a-z]?_[A-Za-z0-9+/=_,-]{40,}", "flyv1"),
      f("1password-token", "\\bops_eyJ[A-Za-z0-9+/=_-]{40,}", "ops_eyj"),
      f("databricks-token", "\\bdapi[a-f0-9]{32}(?:-\\d)?\\b", "dapi"),
      f("supabase-key", "\\bsbp_[a-f0-9]{40}\\b|\\bsb_secret_[A-Za-z0-9_-]{20,}", "sbp_", "sb_secret_"),
      f("planetscale-token", "\\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}", "pscale_"),
      f("tailscale-key", "\\btskey-(?:api|auth|client|webhook|scim)-[A-Za-z0-9]+-[A-Za-z0-9]+", "tskey-"),
      f("age-key", "\\bAGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}\\b", "age-secret-key-1"),
      f("netlify-token", "\\bnfp_[A-Za-z0-9]{36}\\b", "nfp_"),
      f("prefect-key", "\\bpnu_[A-Za-z0-9]{36}\\b", "pnu_"),
      // observability
      f("grafana-token", "\\bglc_[A-Za-z0-9+/]{32,}={0,2}|\\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\\b", "glc_", "glsa_"),
      f("newrelic-key", "\\bNR(?:AK|II|JS|AA)-[A-Za-z0-9]{20,}", "nrak-", "nrii-", "nrjs-", "nraa-"),
      f("sentry-token", "\\bsntry[su]_[A-Za-z0-9+/=_-]{40,}", "sntry"),
      f("dynatrace-token", "\\bdt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}\\b", "dt0c01."),
      // payment and SaaS
      f("api-key", "\\bsk-(?:proj-|ant-(?:api\\d+-)?|svcacct-|admin-)?[A-Za-z0-9_-]{16,}|\\b[sr]k_(?:live|test)_[A-Za-z0-9]{10,}"
          + "|\\bAIza[0-9A-Za-z_-]{30,}|\\bwhsec_[A-Za-z0-9+/=]{24,}", "sk-", "sk_", "rk_", "aiza", "whsec_"),
      f("sendgrid-key", "\\bSG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}" + END, "sg."),
      f("twilio-key", "\\bSK[0-9a-fA-F]{32}\\b", "sk0", "sk1", "sk2", "sk3", "sk4", "sk5", "sk6", "sk7", "sk8", "sk9",
          "ska", "skb", "skc", "skd", "ske", "skf"),
      f("huggingface-token", "\\bhf_[A-Za-z0-9]{34,}\\b|\\bapi_org_[A-Za-z0-9]{34}\\b", "hf_", "api_org_"),
      f("groq-key", "\\bgsk_[A-Za-z0-9]{52}\\b", "gsk_"),
      f("replicate-token", "\\br8_[A-Za-z0-9]{37}\\b", "r8_"),
      f("xai-key", "\\bxai-[A-Za-z0-9]{70,90}\\b", "xai-"),
      f("perplexity-key", "\\bpplx-[A-Za-z0-9]{48}\\b", "pplx-"),
      f("shopify-token", "\\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\\b", "shpat_", "shpca_", "shppa_", "shpss_"),
      f("mailgun-key", "\\bkey-[0-9a-f]{32}\\b", "key-"),
      f("mailchimp-key", "\\b[0-9a-f]{32}-us[0-9]{1,2}\\b", "-us1", "-us2", "-us3", "-us4", "-us5", "-us6", "-us7",
          "-us8", "-us9"),
      f("linear-key", "\\blin_api_[A-Za-z0-9]{40}\\b", "lin_api_"),
      f("notion-token", "\\bntn_[0-9]{11}[A-Za-z0-9]{35}\\b|\\bsecret_[A-Za-z0-9]{43}\\b", "ntn_", "secret_"),
      f("airtable-token", "\\bpat[A-Za-z0-9]{14}\\.[a-f0-9]{64}\\b", "airtable"),
      f("figma-token", "\\bfigd_[A-Za-z0-9_-]{40}" + END, "figd_"),
      f("square-token", "\\bEAAA[A-Za-z0-9_-]{60}" + END + "|\\bsq0(?:atp|csp)-[A-Za-z0-9_-]{22,43}",
          "eaaa", "sq0atp-", "sq0csp-"),
      f("facebook-token", "\\bEAA[A-Za-z0-9]{90,}", "eaa"),
      f("braintree-token", "access_token\\$(?:production|sandbox)\\$[a-z0-9]{16}\\$[a-f0-9]{32}", "access_token$"),
      f("plaid-token", "\\baccess-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\b",
          "access-sandbox-", "access-development-", "access-production-"),
      f("flutterwave-key", "\\bFLWSECK(?:_TEST)?-[a-h0-9]{32}-X\\b", "flwseck"),
      f("contentful-token", "\\bCFPAT-[A-Za-z0-9_-]{43}" + END, "cfpat-"),
      f("readme-key", "\\brdme_[a-z0-9]{70}\\b", "rdme_"),
      f("easypost-key", "\\bEZ[AT]K[A-Za-z0-9]{54}\\b", "ezak", "eztk"),
      f("duffel-token", "\\bduffel_(?:test|live)_[A-Za-z0-9_=-]{43}", "duffel_"),
      f("shippo-token", "\\bshippo_(?:live|test)_[a-f0-9]{40}\\b", "shippo_"),
      f("infracost-key", "\\bico-[A-Za-z0-9]{32}\\b", "ico-"),
      f("typeform-token", "\\btfp_[A-Za-z0-9_.-]{59}", "tfp_"),
      f("mapbox-token", "\\bsk\\.eyJ[A-Za-z0-9._-]{40,}", "sk.eyj"),
      f("dropbox-token", "\\bsl\\.[A-Za-z0-9_-]{130,}", "sl."),
      f("frameio-token", "\\bfio-u-[A-Za-z0-9_=-]{64}", "fio-u-"),
      // authorization schemes (after the vendor formats, which name the secret better)
      g("basic-auth", 3, SecretFormats::isBasicCredentials,
          "(?i)\\b(basic)(\\s+)([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])", "basic"),
      g("bearer-token", 3, SecretFormats::looksLikeToken, "(?i)\\b(bearer)(\\s+)([A-Za-z0-9._~+/=-]{8,})", "bearer"),
      g("signature", 1, null, "(?i)\\bSignature=([a-f0-9]{64})\\b", "signature="));

  private SecretFormats() {
  }

  /** Basic credentials are base64 of {@code user:password}: ordinary words after "Basic" are not. */
  static boolean isBasicCredentials(String value) {
    try {
      byte[] raw = Base64.getDecoder().decode(value);
      for (byte b : raw) {
        if (b == ':') {
          return true;
        }
      }
      return false;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A token has a digit or a symbol somewhere; "bearer authentication" does not. */
  static boolean looksLikeToken(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c >= '0' && c <= '9' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=' || c == '-') {
        return true;
      }
    }
    return value.length() >= 32;
  }

  private static boolean hasDigit(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isDigit(value.charAt(i))) {
        return true;
      }
    }
    return false;
  }
}
