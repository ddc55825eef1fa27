/* The unit's work list (/inbox): every tab's count, and the open tab's rows, follow the unit's
 * threads live. Any thread event in the unit's rooms (a dispatch to it, a resolution, a
 * supervision, a reply) refetches the server's own fragment (/inbox?tab=…&partial=1) once; the
 * 待回复 rows themselves are placed one by one by static/js/live.js, which owns that tab. */
(function () {
  "use strict";

  function init() {
    var box = document.querySelector("[data-worklist-box]");
    if (!box) return;
    var tab = box.getAttribute("data-tab");
    var base = document.title.replace(/^\(\d+\) /, "");
    var busy = false, again = false, timer = null;

    function setTitle() {
      if (tab === "awaiting") return;  // live.js keeps the 待回复 title from its rows
      var counter = box.querySelector('[data-tab-count="' + tab + '"]');
      var n = counter ? parseInt(counter.textContent, 10) || 0 : 0;
      document.title = (n ? "(" + n + ") " : "") + base;
    }

    function apply(html) {
      var tpl = document.createElement("template");
      tpl.innerHTML = html;  // our own server-rendered, autoescaped fragment
      Array.prototype.forEach.call(tpl.content.querySelectorAll("[data-tab-count]"), function (fresh) {
        var key = fresh.getAttribute("data-tab-count");
        var mine = box.querySelector('[data-tab-count="' + key + '"]');
        if (mine && (key !== "awaiting" || tab !== "awaiting")) {  // live.js counts 待回复 rows
          mine.textContent = fresh.textContent;
          mine.classList.toggle("zero", fresh.classList.contains("zero"));
        }
      });
      var list = box.querySelector("[data-worklist]");
      var freshList = tpl.content.querySelector("[data-worklist]");
      if (tab !== "awaiting" && list && freshList) {
        var before = {};
        Array.prototype.forEach.call(list.querySelectorAll("[data-thread-id]"), function (n) {
          before[n.getAttribute("data-thread-id")] = true;
        });
        list.replaceWith(freshList);
        Array.prototype.forEach.call(freshList.querySelectorAll("[data-thread-id]"), function (n) {
          if (!before[n.getAttribute("data-thread-id")]) {
            n.classList.add("just-arrived");
            setTimeout(function () { n.classList.remove("just-arrived"); }, 4000);
          }
        });
      }
      setTitle();
    }

    function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      fetch("/inbox?tab=" + encodeURIComponent(tab) + "&partial=1", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          busy = false;
          if (html !== null) apply(html);
          if (again) { again = false; refresh(); }
        })
        .catch(function () { busy = false; });
    }
    function soon() {  // one refetch for a burst of events
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    }

    var socket = window.boardLive && window.boardLive.socket;
    if (!socket && typeof window.io === "function") socket = window.io({ withCredentials: true });
    if (!socket) return;
    socket.on("thread_updated", soon);
    socket.on("thread_created", soon);
    socket.on("connect", soon);  // after a reconnect: whatever was missed
    setTitle();
  }

  var started = false;
  function start() { if (!started) { started = true; init(); } }
  if (document.readyState === "complete") start();
  document.addEventListener("DOMContentLoaded", start);
  window.addEventListener("load", start);
})();
