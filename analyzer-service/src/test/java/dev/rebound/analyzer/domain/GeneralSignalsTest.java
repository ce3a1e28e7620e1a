package dev.rebound.analyzer.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.classification.Category;
import dev.rebound.common.text.AsciiLower;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The general signals of issue 11 §2 (the {@code general-*} rules): what a failure's exception type, error
 * code, SQLSTATE class, HTTP status or words say when no specific rule recognises it. Messages are written
 * in the formats the tools print (.NET, Java, Python, Node, Go, Rust, PostgreSQL, AWS and gRPC SDKs), with
 * values of our own; none comes from the labelled corpus or the held-out set.
 */
class GeneralSignalsTest {

  private final Classifier classifier = Classifier.builder(RuleCatalog.builtin()).build();

  private Verdict classify(String message) {
    return classifier.classify(FailureInput.ofMessage(message));
  }

  /** A general verdict: the category and flag expected, from a general-* rule, with a moderate confidence. */
  private Verdict assertGeneral(String message, Category category, boolean transientFailure) {
    Verdict v = classify(message);
    assertThat(v.category()).as("category of %s (%s)", message, v.ruleId()).isEqualTo(category);
    assertThat(v.transientFailure()).as("transient flag of %s (%s)", message, v.ruleId()).isEqualTo(transientFailure);
    assertThat(v.ruleId()).as("rule deciding %s", message).startsWith(RuleIndex.GENERAL_PREFIX);
    assertThat(v.confidence()).as("confidence of %s", message).isBetween(0.4, Classifier.BROAD_MAX_CONFIDENCE);
    assertThat(v.rootCause()).isNotBlank();
    assertThat(v.recommendations()).isNotEmpty();
    return v;
  }

  @Test
  void exceptionTypeFamiliesClassifyTypesNoSpecificRuleNames() {
    assertGeneral("System.Collections.Generic.KeyNotFoundException: The given key 'tenant-42' was not present in the dictionary.",
        Category.CODE_QUALITY, false);
    assertGeneral("System.NullReferenceException: Object reference not set to an instance of an object.\n"
        + "   at Billing.InvoiceService.Total(Invoice invoice) in /src/Billing/InvoiceService.cs:line 57", Category.CODE_QUALITY, false);
    assertGeneral("System.ArgumentOutOfRangeException: Index was out of range. Must be non-negative and less than the size of the"
        + " collection. (Parameter 'index')", Category.CODE_QUALITY, false);
    assertGeneral("System.UnauthorizedAccessException: Access to the path '/var/app/uploads/2024' is denied.",
        Category.CONFIGURATION, false);
    assertGeneral("Polly.Timeout.TimeoutRejectedException: The delegate executed asynchronously through TimeoutPolicy did not"
        + " complete within the timeout.", Category.NETWORK, true);
    assertGeneral("org.springframework.orm.ObjectOptimisticLockingFailureException: Row was updated or deleted by another"
        + " transaction (or unsaved-value mapping was incorrect) : [com.acme.Order#9121]", Category.EXTERNAL_DEPENDENCY, true);
    assertGeneral("System.Net.Sockets.SocketException (10060): A connection attempt failed because the connected party did not"
        + " properly respond after a period of time", Category.NETWORK, true);
    assertGeneral("sqlalchemy.exc.IntegrityError: (sqlite3.IntegrityError) NOT NULL failed: users.email",
        Category.CODE_QUALITY, false);
  }

  @Test
  void errorCodeNamesThatSdksPrintCountAsTypes() {
    // AWS CLI / boto3
    assertGeneral("botocore.exceptions.ClientError: An error occurred (DBClusterNotFoundFault) when calling the"
        + " DescribeDBClusters operation: DBCluster orders-prod not found.", Category.CONFIGURATION, false);
    assertGeneral("An error occurred (InvalidParameterValue) when calling the RunInstances operation: Value (t9.nano) for"
        + " parameter instanceType is invalid.", Category.CODE_QUALITY, false);
    // gRPC status
    assertGeneral("rpc error: code = AlreadyExists desc = workflow execution already started", Category.CONFIGURATION, false);

    List<String> names = new ArrayList<>();
    ExceptionNames.addErrorCodeNames("operation error S3: GetObject, api error NoSuchKey: The specified key does not exist.", names);
    ExceptionNames.addErrorCodeNames("rpc error: code = DeadlineExceeded desc = context deadline exceeded", names);
    ExceptionNames.addErrorCodeNames("rpc error: code = 14 desc = unavailable", names);
    assertThat(names).containsExactly("NoSuchKey", "DeadlineExceeded");
  }

  @Test
  void aFamilyMatchesTheSimpleNameWithoutRegardToCase() {
    assertThat(ExceptionNames.inFamily("*timeout*", "sockettimeoutexception")).isTrue();
    assertThat(ExceptionNames.inFamily("*timeout*", "timeouterror")).isTrue();
    assertThat(ExceptionNames.inFamily("*connectexception", "connectexception")).isTrue();
    assertThat(ExceptionNames.inFamily("*connectexception", "connectexceptionhandler")).isFalse();
    assertThat(ExceptionNames.inFamily("sqltransient*", "sqltransientconnectionexception")).isTrue();
    assertThat(ExceptionNames.inFamily("sqltransient*", "sqlnontransientexception")).isFalse();
    assertThat(ExceptionNames.inFamily("*argument*exception", "argumentoutofrangeexception")).isTrue();
    assertThat(ExceptionNames.matches("*Timeout*", "java.net.http.HttpTimeoutException")).isTrue();
  }

  @Test
  void errnoNamesNumbersAndRustErrorKindsAreGeneralSignals() {
    assertGeneral("Error: EBUSY: resource busy or locked, rmdir 'C:\\build\\out'", Category.RESOURCE_EXHAUSTION, true);
    assertGeneral("Error: EEXIST: file already exists, mkdir '/workspace/dist'", Category.CONFIGURATION, false);
    assertGeneral("Error: Os { code: 2, kind: NotFound, message: \"No such file or directory\" }", Category.CONFIGURATION, false);
    assertGeneral("Error: Custom { kind: TimedOut, error: \"deadline has elapsed\" }", Category.NETWORK, true);
    assertGeneral("Error: ENOTEMPTY: directory not empty, rmdir '/srv/app/node_modules/.vite'", Category.CONFIGURATION, false);
    assertGeneral("Error [ERR_HTTP2_STREAM_ERROR]: Stream closed with error code NGHTTP2_REFUSED_STREAM", Category.NETWORK, true);
  }

  @Test
  void sqlStateClassesDecideWhenNoSpecificCodeIsKnown() {
    assertGeneral("ERROR: database \"reports\" is being accessed by other users (SQLSTATE 55006)", Category.EXTERNAL_DEPENDENCY, true);
    assertGeneral("ERROR: current transaction is aborted, commands ignored until end of transaction block (SQLSTATE 25P02)",
        Category.CODE_QUALITY, false);
    assertGeneral("ERROR: refund exceeds the captured amount (SQLSTATE P0001)", Category.CODE_QUALITY, false);
    assertGeneral("pq: the database system is in an unexpected system error state (SQLSTATE 58000)", Category.INFRASTRUCTURE, true);
  }

  @Test
  void mysqlPrintsTheSqlStateInParenthesesAfterItsErrorNumber() {
    String m = "ERROR 1213 (40001): Deadlock found when trying to get lock; try restarting transaction";
    String lower = AsciiLower.of(m);
    Evidence e = Evidence.of(FailureInput.ofMessage(m), m, lower, StackTraceSummary.EMPTY);

    assertThat(e.sqlState).isEqualTo("40001");
    assertThat(e.sqlInferred).isTrue();
  }

  @Test
  void httpStatusesAndReasonPhrasesWithoutASpecificRule() {
    assertGeneral("Request failed with status code 501", Category.CONFIGURATION, false);
    assertGeneral("GET https://api.example.test/v1/legacy/export returned HTTP/1.1 410 Gone", Category.CONFIGURATION, false);
    assertGeneral("upstream answered: Bad Gateway", Category.EXTERNAL_DEPENDENCY, true);
    assertThat(Evidence.httpStatusIn("<title>503 service temporarily unavailable</title>")).isEqualTo(503);
    assertThat(Evidence.httpStatusIn("httperror: 404 client error: not found for url: https://x.test/a")).isEqualTo(404);
    assertThat(Evidence.httpStatusIn("received 200 rows in 137 ms")).isNull();
  }

  @Test
  void theVerbsOfFailureClassifyWhatNoRuleNames() {
    Map<String, Category> permanent = Map.of(
        "Error: Unable to find a match: python3-devel", Category.CONFIGURATION,
        "Error: pull request merge failed: insufficient permissions to push to protected branch main", Category.CONFIGURATION,
        "restore failed: not enough free space on /data for snapshot 2024-05-01", Category.RESOURCE_EXHAUSTION,
        "training aborted: not enough memory to hold the embedding table on the device", Category.RESOURCE_EXHAUSTION,
        "Error: malformed manifest: expected 'version' to be a string but got number", Category.CODE_QUALITY);
    permanent.forEach((message, category) -> assertGeneral(message, category, false));

    Map<String, Category> transientOnes = Map.of(
        "ERROR: Failed to reach the license server at https://license.example.test", Category.NETWORK,
        "worker-7 disconnected from the coordinator while streaming partition 12", Category.NETWORK,
        "search cluster is under heavy load, try again in a few minutes", Category.EXTERNAL_DEPENDENCY,
        "cannot start rollout: another rollout operation for service payments is in progress", Category.EXTERNAL_DEPENDENCY,
        "replica analytics-2 is not ready: still replaying WAL", Category.INFRASTRUCTURE);
    transientOnes.forEach((message, category) -> assertGeneral(message, category, true));
  }

  @Test
  void theMostSpecificMatchingRuleStillWins() {
    assertThat(classify("FATAL: password authentication failed for user \"billing\"").ruleId()).isEqualTo("db-auth-failed-text");
    assertThat(classify("java.net.SocketTimeoutException: Read timed out").ruleId()).isEqualTo("jvm-socket-timeout");
    assertThat(classify("KeyError: 'customer_id'").ruleId()).isEqualTo("py-key-error");
    assertThat(classify("Error: connect ECONNREFUSED 10.1.2.3:6379").ruleId()).isEqualTo("net-connection-refused");
    // Windows' "aborted by the software in your host machine" is a network error, not a CI job aborted by someone
    assertThat(classify("ConnectionAbortedError: [WinError 10053] An established connection was aborted by the software in your"
        + " host machine").category()).isEqualTo(Category.NETWORK);
    // a FileNotFoundError is not a DNS failure, although its name contains "enotfound"
    assertThat(classify("FileNotFoundError: [Errno 2] No such file or directory: 'models/v7.onnx'").category())
        .isEqualTo(Category.CONFIGURATION);
  }

  @Test
  void aGeneralSignalDoesNotRaiseASpecificRulesConfidence() {
    Verdict v = classify("KeyError: 'customer_id'");

    assertThat(v.reasons()).noneSatisfy(r -> assertThat(r).contains(RuleIndex.GENERAL_PREFIX));
  }

  @Test
  void broadVerdictsNeverClaimMoreThanPointEightHoweverManyBroadRulesAgree() {
    Verdict v = classify("HTTP 429 Too Many Requests: rate limit exceeded, please slow down");

    assertThat(v.category()).isEqualTo(Category.RATE_LIMIT);
    assertThat(v.confidence()).isLessThanOrEqualTo(Classifier.BROAD_MAX_CONFIDENCE);
  }

  @Test
  void aUserCatalogCanDeclareItsOwnExceptionFamily() {
    RuleCatalog catalog = RuleCatalog.load(List.of(new RuleCatalog.Source("user.yaml", """
        rules:
          - id: frobnication-family
            match: {exception: ['*Frobnication*']}
            category: EXTERNAL_DEPENDENCY
            transient: true
            rootCause: The frobnicator failed.
            recommendations: [Retry.]
        """)));
    Classifier c = Classifier.builder(catalog).build();

    assertThat(catalog.problems()).isEmpty();
    assertThat(c.classify(FailureInput.ofMessage("com.acme.FrobnicationTimeoutException: gave up")).ruleId())
        .isEqualTo("frobnication-family");
    assertThat(c.classify(FailureInput.builder("gave up").exceptionType("acme.FrobnicationError").build()).ruleId())
        .isEqualTo("frobnication-family");
    assertThat(c.classify(FailureInput.ofMessage("com.acme.QuuxException: gave up")).category()).isEqualTo(Category.UNKNOWN);
  }

  @Test
  void aMessageWithoutAnySignalStaysUnknownTransientAndUnsure() {
    Verdict v = classify("the frobnicator returned an unexpected quux for widget 42");

    assertThat(v.category()).isEqualTo(Category.UNKNOWN);
    assertThat(v.transientFailure()).isTrue();
    assertThat(v.confidence()).isLessThanOrEqualTo(Classifier.UNKNOWN_MAX_CONFIDENCE);
  }
}
