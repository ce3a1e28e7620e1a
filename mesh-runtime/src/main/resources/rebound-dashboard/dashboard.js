// Rebound dashboard: live updates and confirmations. No framework; every page works without this script.
// The page's live region (#live, data-topics="tasks circuits …") is re-read from the server whenever one of its
// topics reports a change on /ui/events (server-sent events), at most about once every 300 ms.
(function () {
  'use strict';

  document.addEventListener('submit', function (e) {
    var form = e.target;
    var question = form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) {
      e.preventDefault();
    }
  });

  var live = document.getElementById('live');
  var status = document.getElementById('live-status');
  var topics = live ? (live.getAttribute('data-topics') || '').split(/\s+/).filter(Boolean) : [];
  if (!topics.length || !window.EventSource) {
    return;
  }
  var timer = null;
  var busy = false;
  var again = false;

  function show(text, cls) {
    if (status) {
      status.textContent = text;
      status.className = 'live-status ' + cls;
    }
  }

  function refresh() {
    timer = null;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(window.location.href, {headers: {'Accept': 'text/html'}, credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (text) {
        var next = new DOMParser().parseFromString(text, 'text/html').getElementById('live');
        var current = document.getElementById('live');
        if (next && current) {
          current.replaceWith(document.importNode(next, true));
          document.body.setAttribute('data-refreshed', String(Date.now()));
        }
      })
      .catch(function () { /* the next event tries again */ })
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          schedule();
        }
      });
  }

  function schedule() {
    if (!timer) {
      timer = window.setTimeout(refresh, 300);
    }
  }

  var source = new EventSource('/ui/events?topics=' + encodeURIComponent(topics.join(',')));
  source.addEventListener('open', function () { show('live', 'on'); });
  source.onerror = function () { show('reconnecting…', 'off'); };
  topics.forEach(function (topic) { source.addEventListener(topic, schedule); });
})();
