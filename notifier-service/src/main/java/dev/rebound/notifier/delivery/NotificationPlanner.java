package dev.rebound.notifier.delivery;

import dev.rebound.notifier.domain.AlertState;
import dev.rebound.notifier.domain.AlertView;
import dev.rebound.notifier.domain.ChannelTarget;
import dev.rebound.notifier.domain.EmailMessage;
import dev.rebound.notifier.domain.GroupNotification;
import dev.rebound.notifier.domain.PagerDutyEvent;
import dev.rebound.notifier.domain.Receiver;
import dev.rebound.notifier.domain.SlackMessage;
import dev.rebound.notifier.domain.TeamsCard;
import dev.rebound.notifier.domain.WebhookPayload;
import dev.rebound.notifier.store.Delivery;
import dev.rebound.notifier.store.Rows;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a notification into outbox rows: one per endpoint of the receiver (PagerDuty: one event per alert, keyed by
 * the alert's {@code dedup_key}), with the channel's payload built by the domain — minus the secret, which the sender
 * adds when it sends.
 */
public final class NotificationPlanner {
  /** The PagerDuty field that carries the routing key: stripped before a payload is stored. */
  static final String ROUTING_KEY = "routing_key";

  private final String externalUrl;

  public NotificationPlanner(String externalUrl) {
    this.externalUrl = externalUrl;
  }

  public List<Delivery.New> plan(GroupNotification.Message m, Receiver receiver, Delivery.Kind kind) {
    List<Delivery.New> out = new ArrayList<>();
    for (ChannelTarget t : receiver.targets()) {
      out.addAll(plan(m, receiver.name(), t, kind));
    }
    return out;
  }

  public List<Delivery.New> plan(GroupNotification.Message m, String receiver, ChannelTarget t, Delivery.Kind kind) {
    if (m.firing().isEmpty() && !t.sendResolved()) {
      return List.of();
    }
    JsonObject message = message(m);
    if (t instanceof ChannelTarget.PagerDuty pd) {
      List<Delivery.New> out = new ArrayList<>();
      for (AlertView a : m.all()) {
        if (a.resolved() && !t.sendResolved()) {
          continue;
        }
        PagerDutyEvent.Action action = kind == Delivery.Kind.ACKNOWLEDGE ? PagerDutyEvent.Action.ACKNOWLEDGE
            : a.state() == AlertState.RESOLVED ? PagerDutyEvent.Action.RESOLVE : PagerDutyEvent.Action.TRIGGER;
        JsonObject payload = Rows.json(PagerDutyEvent.build(a, pd.routingKey(), action, t.template(), clientUrl(a)));
        payload.remove(ROUTING_KEY);
        out.add(new Delivery.New(t.channel(), t.endpointKey(), receiver, m.groupKey(), kind, message, payload,
            payload.getString("dedup_key")));
      }
      return out;
    }
    return List.of(new Delivery.New(t.channel(), t.endpointKey(), receiver, m.groupKey(), kind, message,
        payload(m, t), null));
  }

  /** The body of a one-message channel (everything but PagerDuty). */
  public JsonObject payload(GroupNotification.Message m, ChannelTarget t) {
    Map<String, Object> body = switch (t.channel()) {
      case SLACK -> SlackMessage.build(m, t.template());
      case TEAMS -> TeamsCard.build(m, t.template());
      case WEBHOOK -> ((ChannelTarget.Webhook) t).alertmanagerFormat()
          ? WebhookPayload.alertmanager(m, externalUrl) : WebhookPayload.rebound(m);
      case EMAIL -> {
        EmailMessage e = EmailMessage.build(m, t.template());
        yield Map.of("subject", e.subject(), "text", e.text(), "html", e.html());
      }
      case PAGERDUTY -> throw new IllegalArgumentException("PagerDuty events are one per alert");
    };
    return Rows.json(body);
  }

  /** Which alerts a row speaks of: what a digest merges. */
  static JsonObject message(GroupNotification.Message m) {
    JsonArray firing = new JsonArray();
    m.firing().forEach(a -> firing.add(a.id()));
    JsonArray resolved = new JsonArray();
    m.resolved().forEach(a -> resolved.add(a.id()));
    return new JsonObject().put("firing", firing).put("resolved", resolved)
        .put("groupLabels", Rows.json(m.groupLabels())).put("digest", m.digest());
  }

  private String clientUrl(AlertView a) {
    return externalUrl == null ? null : externalUrl.replaceAll("/+$", "") + "/v1/alerts/" + a.id();
  }
}
