/* Thread page, issue 5: the 办理进度 (timeline) section refreshes live when the thread changes
 * (escalated, dispatched, handling, resolved, supervised, rated), and a unit's reply templates
 * fill the reply box in one tap. Listens to `thread_updated` on the socket static/js/live.js
 * opens (window.boardLive.socket); opens its own with the vendored client if there is none.
 * The fragment is server-rendered per viewer, so police-only notes never reach the public. */
(function () {
  "use strict";

  function init() {
    var section = document.querySelector("[data-timeline][data-thread-id]");
    if (!section) return;
    var threadId = parseInt(section.getAttribute("data-thread-id"), 10);
    var pending = null;

    function refresh() {
      if (pending) return;
      pending = fetch("/t/" + threadId + "/timeline", { credentials: "same-origin",
                                                        headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          pending = null;
          if (!html) return;
          var tpl = document.createElement("template");
          tpl.innerHTML = html;  // our own server-rendered, autoescaped fragment
          var fresh = tpl.content.querySelector("[data-timeline]");
          var current = document.querySelector("[data-timeline][data-thread-id]");
          if (!fresh || !current) return;
          var known = {};
          current.querySelectorAll("[data-event-id]").forEach(function (n) {
            known[n.getAttribute("data-event-id")] = true;
          });
          fresh.querySelectorAll("[data-event-id]").forEach(function (n) {
            if (!known[n.getAttribute("data-event-id")]) n.classList.add("just-arrived");
          });
          current.replaceWith(fresh);
          section = fresh;
          var rating = tpl.content.querySelector("[data-rating-slot]");
          var slot = document.querySelector("[data-rating-slot]");
          // Resolved: the asker's rating form appears (never replaced while they are typing).
          if (rating && slot && !slot.contains(document.activeElement)) slot.replaceWith(rating);
        })
        .catch(function () { pending = null; });
    }

    function listen(socket) {
      socket.on("thread_updated", function (data) {
        if (data && data.thread && data.thread.id === threadId) refresh();
      });
      socket.on("connect", function () {  // after a reconnect we may have missed steps
        refresh();
      });
    }

    if (window.boardLive && window.boardLive.socket) {
      listen(window.boardLive.socket);
    } else if (typeof window.io === "function") {
      var socket = window.io({ withCredentials: true });
      socket.on("connect", function () { socket.emit("join", { room: "thread:" + threadId }); });
      listen(socket);
    }

    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-template-text]");
      if (!button) return;
      var box = document.querySelector(".reply-form textarea[name=body]");
      if (!box) return;
      box.value = button.getAttribute("data-template-text");
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
      box.scrollIntoView({ block: "center" });
    });
  }

  // Deferred scripts run in document order before DOMContentLoaded: wait for it, so the socket
  // that live.js (loaded after us) opens is there.
  var started = false;
  function start() { if (!started) { started = true; init(); } }
  if (document.readyState === "complete") start();
  document.addEventListener("DOMContentLoaded", start);
  window.addEventListener("load", start);
})();
