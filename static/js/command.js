/* 110 command centre queue: refresh the lists live when any thread changes (a new escalation, a
 * dispatch elsewhere), keeping what a dispatcher is typing. Uses the socket static/js/live.js
 * opened, or opens one with the vendored client (dispatchers join their unit's room on connect). */
(function () {
  "use strict";

  function init() {
    var box = document.querySelector("[data-command-queue]");
    if (!box) return;
    var pending = null, again = false;

    function busy() {  // never replace a form the dispatcher is filling in
      var active = document.activeElement;
      return active && box.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
    }

    function refresh() {
      if (pending) { again = true; return; }
      if (busy()) { setTimeout(refresh, 1500); return; }
      pending = fetch("/command/?partial=1", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          pending = null;
          if (html !== null) {
            var before = {};
            box.querySelectorAll("[data-queue-waiting] [data-thread-id]").forEach(function (n) {
              before[n.getAttribute("data-thread-id")] = true;
            });
            box.innerHTML = html;  // our own server-rendered, autoescaped fragment
            box.querySelectorAll("[data-queue-waiting] [data-thread-id]").forEach(function (n) {
              if (!before[n.getAttribute("data-thread-id")]) n.classList.add("just-arrived");
            });
            var count = box.querySelectorAll("[data-queue-waiting] [data-thread-id]").length;
            var head = document.querySelector("[data-queue-count]");
            if (head) head.textContent = String(count);
            document.title = (count ? "(" + count + ") " : "") + "110指挥中心 - 鹿城24小时警局";
          }
          if (again) { again = false; refresh(); }
        })
        .catch(function () { pending = null; });
    }

    var socket = window.boardLive && window.boardLive.socket;
    if (!socket && typeof window.io === "function") socket = window.io({ withCredentials: true });
    if (!socket) return;
    socket.on("thread_updated", refresh);
    socket.on("thread_created", refresh);
    socket.on("connect", refresh);
  }

  // Deferred scripts run in document order before DOMContentLoaded: wait for it, so the socket
  // that live.js (loaded after us) opens is there.
  var started = false;
  function start() { if (!started) { started = true; init(); } }
  if (document.readyState === "complete") start();
  document.addEventListener("DOMContentLoaded", start);
  window.addEventListener("load", start);
})();
