/* Drafts that survive a refused or lost submission (issue 18): what a resident types into a
 * posting form (form[data-draft="<kind>:<id>"]) is kept in this browser's localStorage until
 * the post is known to have gone through, and put back into the empty form on the next visit.
 * A submission is known to have gone through when the page it led to is the new thread
 * (a thread form) or the thread with the new reply's anchor (#p123, a reply form); a page that
 * shows the form again with a reason (400, 429), an error page or no page at all keeps it. */
(function () {
  "use strict";
  var PREFIX = "board-draft:";
  var PENDING = "board-draft-pending";
  var FIELDS = "textarea[name], input[type=text][name]";
  var store, session;
  try { store = window.localStorage; session = window.sessionStorage; } catch (e) { return; }
  if (!store || !session) return;

  function read(key) {
    try { return JSON.parse(store.getItem(PREFIX + key) || "null"); } catch (e) { return null; }
  }
  function forget(key) { store.removeItem(PREFIX + key); }

  // 1. The page after a submission: did it go through?
  var pending = null;
  try { pending = JSON.parse(session.getItem(PENDING) || "null"); } catch (e) { pending = null; }
  session.removeItem(PENDING);
  if (pending && pending.key && Date.now() - (pending.at || 0) < 10 * 60 * 1000) {
    var formAgain = document.querySelector('form[data-draft="' + pending.key + '"]');
    var refused = formAgain && formAgain.parentNode.querySelector(
      ".field-error, [data-allowance][role=alert]");
    var onThread = document.querySelector("article.thread[data-thread-id]");
    var posted = !refused && onThread && (
      (pending.key.indexOf("thread:") === 0 && location.pathname !== pending.path) ||
      (pending.key.indexOf("reply:") === 0 && /^#p\d+$/.test(location.hash)));
    if (posted) forget(pending.key);
  }

  // 2. Every posting form: keep what is typed; put a kept draft back into an empty form.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
    var key = form.getAttribute("data-draft");
    var fields = Array.prototype.slice.call(form.querySelectorAll(FIELDS));
    if (!key || !fields.length) return;

    function save() {
      var data = {}, any = false;
      fields.forEach(function (f) { data[f.name] = f.value; if (f.value.trim()) any = true; });
      if (any) store.setItem(PREFIX + key, JSON.stringify({ at: Date.now(), fields: data }));
      else forget(key);
    }

    var draft = read(key);
    var empty = fields.every(function (f) { return !f.value.trim(); });
    if (draft && draft.fields && empty) {
      var restored = false;
      fields.forEach(function (f) {
        if (typeof draft.fields[f.name] === "string" && draft.fields[f.name]) {
          f.value = draft.fields[f.name];
          restored = true;
        }
      });
      if (restored) {
        var note = document.createElement("p");
        note.className = "draft-restored";
        note.setAttribute("role", "status");
        note.setAttribute("data-draft-restored", "");
        note.textContent = tr("已恢复您上次没有发出去的内容。");
        var clear = document.createElement("button");
        clear.type = "button";
        clear.className = "link-button";
        clear.textContent = tr("清空");
        clear.addEventListener("click", function () {
          fields.forEach(function (f) { f.value = ""; });
          forget(key);
          note.remove();
        });
        note.appendChild(clear);
        form.insertBefore(note, form.firstChild);
      }
    } else if (!empty) {
      save();  // shown again by the server with what was typed: keep it too
    }

    form.addEventListener("input", save);
    form.addEventListener("submit", function () {
      save();
      session.setItem(PENDING, JSON.stringify({ key: key, path: location.pathname,
                                                at: Date.now() }));
    });
  });
})();
