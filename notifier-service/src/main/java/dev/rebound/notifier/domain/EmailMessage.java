package dev.rebound.notifier.domain;

import java.util.List;
import java.util.Map;

/** An e-mail's subject and bodies (plain text and minimal HTML, alert text HTML-escaped). */
public record EmailMessage(String subject, String text, String html) {

  public static EmailMessage build(GroupNotification.Message m, String template) {
    List<AlertView> alerts = m.all();
    AlertView first = alerts.get(0);
    String status = m.firing().isEmpty() ? "RESOLVED" : "FIRING:" + m.firing().size();
    String subject = TextEscaping.clip(("[" + status + "] " + MessageTemplate.choose(template, first.kind())
        .render(first, s -> s)).replaceAll("[\\r\\n]+", " "), 200);
    StringBuilder text = new StringBuilder();
    StringBuilder html = new StringBuilder("<html><body><h2>").append(TextEscaping.html(status)).append("</h2><ul>");
    for (AlertView a : alerts) {
      String line = MessageTemplate.choose(template, a.kind()).render(a, s -> s);
      text.append(a.resolved() ? "[resolved] " : "[").append(a.resolved() ? "" : a.severity() + "] ").append(line)
          .append('\n');
      html.append("<li><b>").append(TextEscaping.html(a.resolved() ? "resolved" : a.severity())).append("</b> ")
          .append(MessageTemplate.choose(template, a.kind()).render(a, TextEscaping::html));
      for (Map.Entry<String, String> e : a.labels().entrySet()) {
        text.append("  ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
      }
      if (a.generatorUrl() != null) {
        text.append("  ").append(a.generatorUrl()).append('\n');
        html.append(" <a href=\"").append(TextEscaping.html(a.generatorUrl())).append("\">open</a>");
      }
      html.append("</li>");
    }
    html.append("</ul></body></html>");
    return new EmailMessage(subject, text.toString(), html.toString());
  }
}
