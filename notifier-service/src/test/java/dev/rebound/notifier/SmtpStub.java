package dev.rebound.notifier;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local SMTP server on 127.0.0.1 speaking just enough of RFC 5321 for a mail client: the 220 greeting, EHLO/HELO
 * (advertising AUTH PLAIN, no STARTTLS), AUTH PLAIN, MAIL FROM, RCPT TO, DATA up to the lone dot, RSET, NOOP, QUIT.
 * It records every accepted message with its envelope and the credentials it was given.
 */
final class SmtpStub {
  /** One accepted message: envelope, the user and password of the session's AUTH (or null), and the raw DATA. */
  record Mail(String from, List<String> to, String user, String password, String data) {
  }

  final List<Mail> mails = new CopyOnWriteArrayList<>();
  private NetServer server;

  Future<Integer> start(Vertx vertx) {
    return vertx.createNetServer().connectHandler(this::session).listen(0, "127.0.0.1").map(s -> {
      server = s;
      return s.actualPort();
    });
  }

  Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void session(NetSocket socket) {
    Session s = new Session(socket);
    RecordParser lines = RecordParser.newDelimited("\r\n", line -> s.line(line.toString(StandardCharsets.UTF_8)));
    socket.handler(lines);
    s.reply("220 127.0.0.1 ESMTP stub");
  }

  private final class Session {
    private final NetSocket socket;
    private String from;
    private final List<String> to = new ArrayList<>();
    private String user;
    private String password;
    private boolean awaitingAuth;
    private StringBuilder data;

    Session(NetSocket socket) {
      this.socket = socket;
    }

    void reply(String line) {
      socket.write(Buffer.buffer(line + "\r\n", "UTF-8"));
    }

    void line(String line) {
      if (data != null) {
        if (line.equals(".")) {
          mails.add(new Mail(from, List.copyOf(to), user, password, data.toString()));
          data = null;
          from = null;
          to.clear();
          reply("250 2.0.0 queued");
        } else {
          data.append(line.startsWith("..") ? line.substring(1) : line).append("\r\n"); // dot-stuffing
        }
        return;
      }
      if (awaitingAuth) {
        awaitingAuth = false;
        plain(line);
        return;
      }
      String upper = line.toUpperCase(Locale.ROOT);
      if (upper.startsWith("EHLO")) {
        reply("250-127.0.0.1 greets you");
        reply("250 AUTH PLAIN");
      } else if (upper.startsWith("HELO")) {
        reply("250 127.0.0.1");
      } else if (upper.startsWith("AUTH PLAIN")) {
        String initial = line.substring("AUTH PLAIN".length()).trim();
        if (initial.isEmpty()) {
          awaitingAuth = true;
          reply("334 ");
        } else {
          plain(initial);
        }
      } else if (upper.startsWith("MAIL FROM:")) {
        from = address(line.substring("MAIL FROM:".length()));
        reply("250 2.1.0 ok");
      } else if (upper.startsWith("RCPT TO:")) {
        to.add(address(line.substring("RCPT TO:".length())));
        reply("250 2.1.5 ok");
      } else if (upper.equals("DATA")) {
        if (from == null || to.isEmpty()) {
          reply("503 5.5.1 MAIL FROM and RCPT TO first");
        } else {
          data = new StringBuilder();
          reply("354 end data with <CR><LF>.<CR><LF>");
        }
      } else if (upper.equals("RSET") || upper.equals("NOOP")) {
        from = upper.equals("RSET") ? null : from;
        if (upper.equals("RSET")) {
          to.clear();
        }
        reply("250 2.0.0 ok");
      } else if (upper.equals("QUIT")) {
        reply("221 2.0.0 bye");
        socket.close();
      } else {
        reply("502 5.5.2 command not implemented");
      }
    }

    /** AUTH PLAIN: base64 of {@code authzid NUL user NUL password}. */
    private void plain(String base64) {
      try {
        String[] parts = new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8).split("\0", -1);
        user = parts[1];
        password = parts[2];
        reply("235 2.7.0 authenticated");
      } catch (RuntimeException e) {
        reply("501 5.5.2 cannot decode");
      }
    }

    private String address(String arg) {
      String a = arg.trim();
      int lt = a.indexOf('<');
      int gt = a.indexOf('>');
      return lt >= 0 && gt > lt ? a.substring(lt + 1, gt) : a.split(" ")[0];
    }
  }
}
