/* @mentions while typing a reply (issue 17): after "@" and a few letters, the officers of the
 * thread's units are suggested (GET /api/v1/threads/<id>/mention-suggestions?q=…); a tap puts
 * "@王海峰 " into the text. Without this script, typing the name works the same. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-mention-thread]");
  var box = form && form.querySelector("textarea");
  if (!box || !window.fetch) return;
  var threadId = form.getAttribute("data-mention-thread");
  var list = document.createElement("ul");
  list.className = "mention-suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", tr("可以@的民警"));
  list.hidden = true;
  box.parentNode.insertBefore(list, box.nextSibling);
  var timer = null, asked = null;

  function typed() {  // the "@…" just before the caret, or null
    var before = box.value.slice(0, box.selectionStart);
    var match = /(^|[^A-Za-z0-9_.@-])@([\u4e00-\u9fff·A-Za-z0-9_]{0,12})$/.exec(before);
    return match ? match[2] : null;
  }

  function choose(mention) {
    var caret = box.selectionStart;
    var before = box.value.slice(0, caret).replace(/@[\u4e00-\u9fff·A-Za-z0-9_]{0,12}$/, mention + " ");
    box.value = before + box.value.slice(caret);
    box.focus();
    box.setSelectionRange(before.length, before.length);
    list.hidden = true;
  }

  function show(officers) {
    list.textContent = "";
    officers.forEach(function (o) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("role", "option");
      button.textContent = o.name + "(" + (o.unit || o.role_label) + ")";
      button.addEventListener("mousedown", function (e) { e.preventDefault(); });
      button.addEventListener("click", function () { choose(o.mention); });
      item.appendChild(button);
      list.appendChild(item);
    });
    list.hidden = officers.length === 0;
  }

  box.addEventListener("input", function () {
    var query = typed();
    clearTimeout(timer);
    if (query === null) { list.hidden = true; return; }
    timer = setTimeout(function () {
      if (query === asked) return;
      asked = query;
      fetch("/api/v1/threads/" + threadId + "/mention-suggestions?q=" + encodeURIComponent(query),
            { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { officers: [] }; })
        .then(function (data) { if (typed() === query) show(data.officers || []); })
        .catch(function () { list.hidden = true; });
    }, 150);
  });
  box.addEventListener("blur", function () { setTimeout(function () { list.hidden = true; }, 150); });
})();
