/* The desk layout for staff (≥ 1200 px): the work list or the command queue on the left, the
 * selected thread on the right (an iframe of the thread page, with its composer or dispatch form),
 * loaded without leaving the list. Keyboard: j / k next / previous item, Ctrl+Enter (⌘+Enter)
 * sends the form being typed in. Phones keep plain links: nothing here changes them.
 * Inside the pane, the thread page drops its site chrome (html.in-pane) and passes j / k up. */
(function () {
  "use strict";
  var WIDE = "(min-width: 1200px)";
  var framed = window.self !== window.top;
  var parentDesk = null;
  try { parentDesk = framed ? window.parent.boardDesk : null; } catch (e) { parentDesk = null; }
  if (parentDesk) document.documentElement.classList.add("in-pane");

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // Ctrl+Enter / ⌘+Enter sends the form being typed in (a reply, a dispatch, a status note).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || !typing(event.target)) return;
    var form = event.target.form;
    if (!form || !form.querySelector("button[type=submit], button:not([type])")) return;
    event.preventDefault();
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.submit();
  });

  if (parentDesk) {  // in the pane: j / k move the list beside it; other pages open full-size
    document.addEventListener("keydown", function (event) {
      if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "j" || event.key === "k") parentDesk.move(event.key === "j" ? 1 : -1);
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[href]");
      if (!link || link.target || link.getAttribute("href").charAt(0) === "#") return;
      if (new URL(link.href, location.href).pathname !== location.pathname) link.target = "_top";
    });
    return;
  }

  var desk = document.querySelector("[data-desk]");
  if (!desk) return;
  var frame = desk.querySelector("[data-desk-frame]");
  var hint = desk.querySelector("[data-desk-hint]");
  var wide = window.matchMedia ? window.matchMedia(WIDE) : { matches: false };
  var selectedId = null;

  function rows() {
    return Array.prototype.slice.call(desk.querySelectorAll("[data-desk-list] .thread-row[data-thread-id]"));
  }
  function linkOf(row) { return row.querySelector('a[href^="/t/"]'); }
  function markSelected() {
    rows().forEach(function (row) {
      var on = row.getAttribute("data-thread-id") === selectedId;
      row.classList.toggle("selected", on);
      if (on) row.setAttribute("aria-current", "true"); else row.removeAttribute("aria-current");
    });
  }
  function open(row) {
    var link = row && linkOf(row);
    if (!link) return;
    selectedId = row.getAttribute("data-thread-id");
    markSelected();
    var url = new URL(link.href, location.href);
    url.searchParams.set("pane", "1");
    if (frame.getAttribute("src") !== url.pathname + url.search) frame.setAttribute("src", url.pathname + url.search);
    frame.hidden = false;
    if (hint) hint.hidden = true;
    row.scrollIntoView({ block: "nearest" });
  }
  function move(step) {
    var list = rows();
    if (!list.length) return;
    var at = list.findIndex(function (r) { return r.getAttribute("data-thread-id") === selectedId; });
    var next = list[Math.max(0, Math.min(list.length - 1, at < 0 ? 0 : at + step))];
    if (wide.matches) open(next);
    else {  // a narrow window: j / k move the focus; Enter opens as a link does
      selectedId = next.getAttribute("data-thread-id");
      markSelected();
      var link = linkOf(next);
      if (link) link.focus();
    }
  }
  window.boardDesk = { move: move, open: open };

  desk.addEventListener("click", function (event) {
    if (!wide.matches || event.ctrlKey || event.metaKey || event.shiftKey || event.button) return;
    var link = event.target.closest('[data-desk-list] .thread-row a[href^="/t/"]');
    if (!link) return;
    event.preventDefault();
    open(link.closest(".thread-row"));
  });
  document.addEventListener("keydown", function (event) {
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "j") move(1);
    else if (event.key === "k") move(-1);
  });
  // Lists refresh live (worklist.js, command.js, live.js): keep the selection marked.
  if (typeof MutationObserver === "function") {
    new MutationObserver(function () {
      var row = rows().find(function (r) { return r.getAttribute("data-thread-id") === selectedId; });
      if (row && !row.classList.contains("selected")) markSelected();
    }).observe(desk, { childList: true, subtree: true });
  }
})();
