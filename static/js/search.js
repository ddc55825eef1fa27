/* Search helpers (issue 4), no inline scripts:
 * - new-thread form: while the title is typed, show answered threads like it
 *   ("这些已回答的问题可能对您有帮助"), so the answer may already be there: three compact titles,
 *   up to two more behind 「更多」, so the body field is not pushed off a phone's screen;
 * - thread page, officers: past official answers to similar questions, inserted into the reply
 *   box with one tap, to adapt rather than retype.
 * Every server string goes in through textContent. */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  /* One suggested thread: its title linking to it (in a new tab, the form stays as typed). */
  function resultItem(r) {
    var li = el("li", "similar-item");
    var a = el("a", null, r.title);
    a.href = r.url;
    a.target = "_blank";
    a.rel = "noopener";
    li.appendChild(a);
    return li;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); });
  }

  /* --- ask before you post ------------------------------------------------------------ */
  function initSimilar() {
    var panel = document.querySelector("[data-similar-panel]");
    var title = document.querySelector("form[data-new-thread] [name=title]");
    if (!panel || !title) return;
    var list = panel.querySelector("[data-similar-list]");
    var timer = null, last = "", seq = 0;

    var more = panel.querySelector("[data-similar-more]");
    var visible = parseInt(panel.getAttribute("data-visible"), 10) || 3;

    /* Compact, so the body field stays in sight on a phone: a title, 「已回复」 and the board;
     * the first `visible` items, the others behind 「更多」. */
    function compactItem(r, index) {
      var li = resultItem(r);
      li.classList.add("similar-compact");
      var meta = el("span", "similar-meta");
      if (r.official_answered) meta.appendChild(el("span", "tag tag-answered", tr("已回复")));
      meta.appendChild(el("span", "tag tag-board", r.board_name));
      li.appendChild(meta);
      li.hidden = index >= visible;
      return li;
    }

    function render(results) {
      list.textContent = "";
      results.forEach(function (r, i) { list.appendChild(compactItem(r, i)); });
      var hidden = results.length - visible;
      more.hidden = hidden <= 0;
      more.textContent = tr("更多({n})", { n: Math.max(hidden, 0) });
      more.setAttribute("aria-expanded", "false");
      panel.hidden = results.length === 0;
    }

    more.addEventListener("click", function () {
      Array.prototype.forEach.call(list.children, function (li) { li.hidden = false; });
      more.hidden = true;
      more.setAttribute("aria-expanded", "true");
    });

    function lookup() {
      var value = title.value.trim();
      if (value === last) return;
      last = value;
      if (value.length < 2) { render([]); return; }
      var mine = ++seq;
      var url = new URL(panel.getAttribute("data-endpoint"), location.href);
      url.searchParams.set("title", value);
      getJSON(url).then(function (data) {
        if (mine === seq) render((data.results || []).slice(0, 5));
      }).catch(function () { /* suggestions are a help, never a blocker */ });
    }

    title.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 350);
    });
    if (title.value) lookup();
  }

  /* --- officers: reuse a past official answer ------------------------------------------ */
  function initAnswers() {
    var box = document.querySelector("[data-answer-suggestions]");
    var textarea = document.querySelector(".reply-form textarea[name=body]");
    if (!box || !textarea) return;
    var list = box.querySelector("[data-answer-list]");
    getJSON(box.getAttribute("data-endpoint")).then(function (data) {
      var results = (data.results || []).filter(function (r) { return r.answer; });
      results.forEach(function (r) {
        var li = resultItem(r);
        var who = [r.answer.official_name, r.answer.official_unit].filter(Boolean).join(" · ");
        if (who) li.appendChild(el("span", "muted small", " " + who));
        li.appendChild(el("p", "answer-text", r.answer.body));
        var button = el("button", "btn btn-small", tr("引用此答复"));
        button.type = "button";
        button.addEventListener("click", function () {
          var current = textarea.value.trim();
          textarea.value = current ? current + "\n\n" + r.answer.body : r.answer.body;
          textarea.focus();
          textarea.setSelectionRange(textarea.value.length, textarea.value.length);
          button.textContent = tr("已引用,请按实际情况修改");
        });
        li.appendChild(button);
        list.appendChild(li);
      });
      box.hidden = results.length === 0;
    }).catch(function () {});
  }

  function init() { initSimilar(); initAnswers(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
