package dev.rebound.common.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.Addresses;
import dev.rebound.common.ReboundException;
import dev.rebound.common.client.ApiOperation;
import dev.rebound.common.client.HttpRoute;
import dev.rebound.common.client.Scope;
import dev.rebound.common.runtime.InFlight;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One table drives the event bus: shared addresses dispatch on the action header, and every entry needs a handler. */
class OperationTableTest {
  private final Vertx vertx = Vertx.vertx();

  enum CounterApi implements ApiOperation {
    INCREMENT("test.counter", "increment", HttpRoute.post("/v1/counter")),
    READ("test.counter", "read", HttpRoute.get("/v1/counter")),
    RESET("test.counter.reset", null, null);

    private final String address;
    private final String action;
    private final HttpRoute route;

    CounterApi(String address, String action, HttpRoute route) {
      this.address = address;
      this.action = action;
      this.route = route;
    }

    @Override
    public String address() {
      return address;
    }

    @Override
    public String action() {
      return action;
    }

    @Override
    public HttpRoute route() {
      return route;
    }

    @Override
    public Scope scope() {
      return this == READ ? Scope.READ : Scope.OPERATOR;
    }
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static OperationTable<CounterApi> table() {
    return OperationTable.of(CounterApi.class)
        .bind(CounterApi.INCREMENT, (request, origin) -> Future.succeededFuture(request))
        .bind(CounterApi.READ, (request, origin) -> Future.succeededFuture(new JsonObject().put("value", 1)));
  }

  @Test
  void aTableMissingAHandlerIsRefusedNamingTheEntry() {
    assertThatThrownBy(() -> table().requireComplete()).hasMessageContaining("RESET");
  }

  @Test
  void anEntryCannotBeBoundTwice() {
    assertThatThrownBy(() -> table().bind(CounterApi.READ, (r, o) -> Future.succeededFuture(r)))
        .hasMessageContaining("READ is bound twice");
  }

  @Test
  void operationsSharingAnAddressAreChosenByTheActionHeaderAndTheParserRunsFirst() throws Exception {
    OperationTable<CounterApi> table = OperationTable.of(CounterApi.class)
        .bind(CounterApi.INCREMENT, request -> request.getInteger("by"), (by, origin) -> Future.succeededFuture(
            new JsonObject().put("added", by).put("actor", origin.actor())))
        .bind(CounterApi.READ, (request, origin) -> Future.succeededFuture(new JsonObject().put("value", 1)))
        .bind(CounterApi.RESET, (request, origin) -> Future.succeededFuture(new JsonObject().put("reset", true)))
        .requireComplete();
    table.registerConsumers(vertx.eventBus(), new InFlight());

    JsonObject added = request("test.counter", "increment", new JsonObject().put("by", 5), "operator-ann");
    assertThat(added).isEqualTo(new JsonObject().put("added", 5).put("actor", "operator-ann"));
    assertThat(request("test.counter", "read", new JsonObject(), null).getInteger("value")).isEqualTo(1);
    assertThat(request("test.counter.reset", null, new JsonObject(), null).getBoolean("reset")).isTrue();

    Throwable unknown = vertx.eventBus().request("test.counter", new JsonObject(),
            new DeliveryOptions().addHeader(Addresses.ACTION_HEADER, "explode"))
        .toCompletionStage().toCompletableFuture().handle((ok, err) -> err).get(10, TimeUnit.SECONDS);
    assertThat(ReboundException.from(unknown).getMessage())
        .contains("unknown or missing action header 'action' (known: [increment, read])");
  }

  private JsonObject request(String address, String action, JsonObject body, String actor) throws Exception {
    DeliveryOptions options = new DeliveryOptions();
    if (action != null) {
      options.addHeader(Addresses.ACTION_HEADER, action);
    }
    if (actor != null) {
      options.addHeader(Addresses.ACTOR_HEADER, actor);
    }
    return vertx.eventBus().<JsonObject>request(address, body, options).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS).body();
  }
}
