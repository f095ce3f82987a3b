// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0
//
// The console's only script, written for this page (no library). It does three things:
// 1. sections with data-live follow a server-sent event stream and, on each message, fetch
//    their server-rendered HTML again (data-fragment): the server renders, this only swaps;
// 2. the events section adds a row per event from its stream, as text (never as HTML);
// 3. forms with class "api" are sent to the JSON API with fetch, carrying the session's CSRF
//    token in X-CSRF-Token; a refusal (403) is shown in words at the top of the page.
"use strict";

(function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";

  function notice(kind, text) {
    var box = document.getElementById("notice");
    if (!box) return;
    box.className = kind;
    box.textContent = text;
    box.scrollIntoView({ block: "nearest" });
  }

  // 1. Live sections.
  document.querySelectorAll("[data-live]").forEach(function (section) {
    var pending = false;
    function refresh() {
      if (pending) return;
      pending = true;
      fetch(section.getAttribute("data-fragment"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          pending = false;
          if (html !== null) section.innerHTML = html;
          section.setAttribute("data-updated", String(Date.now()));
        })
        .catch(function () { pending = false; });
    }
    var stream = new EventSource(section.getAttribute("data-live"));
    stream.onmessage = refresh;
    // A stream the console answered with an error (the session ended) is not retried.
    stream.onerror = function () {
      if (stream.readyState === EventSource.CLOSED) {
        notice("refusal", "Live updates stopped (signed out?): reload the page.");
      }
    };
    stream.addEventListener("refused", function (e) {
      notice("refusal", e.data);
      stream.close();
    });
  });

  // 2. Events as they happen.
  document.querySelectorAll("[data-events]").forEach(function (section) {
    var stream = new EventSource(section.getAttribute("data-events"));
    stream.onmessage = function (e) {
      var body = section.querySelector("tbody");
      if (!body) return;
      var ev = JSON.parse(e.data);
      var row = document.createElement("tr");
      row.className = "event-" + ev.type;
      [ev.type, ev.reason, ev.object, ev.message, String(ev.count), ev.lastSeen || ""].forEach(
        function (text) {
          var cell = document.createElement("td");
          cell.textContent = text;
          row.appendChild(cell);
        }
      );
      body.insertBefore(row, body.firstChild);
    };
    // The stream starts with the whole list again: drop the rows rendered before it.
    stream.addEventListener("reset", function () {
      var body = section.querySelector("tbody");
      if (body) body.textContent = "";
    });
    stream.addEventListener("refused", function (e) {
      section.textContent = e.data;
      section.className = "refusal";
      stream.close();
    });
  });

  // 3. Forms sent to the JSON API.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("api")) return;
    event.preventDefault();
    var confirmName = form.getAttribute("data-confirm");
    if (confirmName !== null) {
      var typed = form.querySelector('input[name="confirm"]');
      if (!typed || typed.value !== confirmName) {
        notice("refusal", "Type the name " + confirmName + " to confirm.");
        return;
      }
    }
    var url = form.getAttribute("data-url");
    var force = form.querySelector('input[name="force"]');
    if (force && force.checked) url += "?force=true";
    var headers = { "X-CSRF-Token": csrf, Accept: "application/json" };
    var text = form.querySelector('textarea[name="body"]');
    var init = { method: form.getAttribute("data-method"), headers: headers, credentials: "same-origin" };
    if (text) {
      headers["Content-Type"] = "application/yaml";
      init.body = text.value;
    }
    notice("working", "Sending...");
    fetch(url, init)
      .then(function (r) {
        return r.text().then(function (body) {
          var data = {};
          try { data = JSON.parse(body); } catch (e) { data = { message: body }; }
          return { status: r.status, data: data };
        });
      })
      .then(function (answer) {
        if (answer.status >= 200 && answer.status < 300) {
          notice("done", answer.data.message || "Done.");
          var then = form.getAttribute("data-then");
          if (then === "tenant" && answer.data.namespace && answer.data.name) {
            location.href = "/tenants/" + encodeURIComponent(answer.data.namespace) + "/" +
              encodeURIComponent(answer.data.name);
          } else if (then) {
            setTimeout(function () { location.href = then; }, 1500);
          }
        } else if (answer.status === 403) {
          notice("refusal", "Refused by Kubernetes (403 Forbidden): " + answer.data.message);
        } else {
          notice("refusal", "Error " + answer.status + ": " + answer.data.message);
        }
      })
      .catch(function (e) { notice("refusal", "Request failed: " + e); });
  });
})();
