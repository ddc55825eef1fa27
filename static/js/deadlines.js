/* First-response deadlines on police pages ([data-deadline], templates/_macros.html
 * deadline_tag): what is left, recounted every minute without a reload, amber when little is
 * left, red once past. Counted from `data-left` (seconds left when the server rendered it) and
 * the time this page first saw the element, so a desk PC's wrong clock does not matter. The words
 * match board/sla.py span_words. */
(function () {
  "use strict";
  var seen = typeof WeakMap === "function" ? new WeakMap() : null;
  var LEVELS = ["deadline-ok", "deadline-soon", "deadline-late"];

  function words(seconds) {
    var minutes = Math.floor(seconds / 60);
    if (minutes < 1) return "不到 1 分钟";
    if (minutes < 60) return minutes + " 分钟";
    var hours = Math.floor(minutes / 60);
    minutes = minutes % 60;
    if (hours < 24) return hours + " 小时" + (minutes ? " " + minutes + " 分钟" : "");
    var days = Math.floor(hours / 24);
    hours = hours % 24;
    return days + " 天" + (hours ? " " + hours + " 小时" : "");
  }

  function mark(root, now) {
    if (!seen || !root.querySelectorAll) return;
    if (root.hasAttribute && root.hasAttribute("data-deadline") && !seen.has(root)) seen.set(root, now);
    Array.prototype.forEach.call(root.querySelectorAll("[data-deadline]"), function (el) {
      if (!seen.has(el)) seen.set(el, now);
    });
  }

  function tick() {
    var now = Date.now();
    mark(document, now);
    Array.prototype.forEach.call(document.querySelectorAll("[data-deadline]"), function (el) {
      var since = seen ? Math.floor((now - seen.get(el)) / 1000) : 0;
      var left = (parseInt(el.getAttribute("data-left"), 10) || 0) - since;
      var soon = parseInt(el.getAttribute("data-soon"), 10) || 600;
      var level = left <= 0 ? "deadline-late" : left <= soon ? "deadline-soon" : "deadline-ok";
      if (!el.classList.contains(level)) {
        LEVELS.forEach(function (name) { el.classList.remove(name); });
        el.classList.add(level);
      }
      var out = el.querySelector("[data-deadline-left]");
      if (out) out.textContent = left > 0 ? "还剩 " + words(left) : "已超时 " + words(-left);
    });
  }

  if (!document.querySelector("[data-deadline], [data-inbox], [data-worklist-box]")) return;
  tick();
  setInterval(tick, 60000);
  // Rows pushed live were rendered just now: count them from their arrival.
  if (typeof MutationObserver === "function") {
    new MutationObserver(function (records) {
      var now = Date.now();
      records.forEach(function (r) {
        Array.prototype.forEach.call(r.addedNodes, function (n) { if (n.nodeType === 1) mark(n, now); });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }
})();
