/* Live pages over Socket.IO (static/vendor/socket.io, no inline scripts).
 * Thread page: new replies appear in order (catch-up from the database after every reconnect,
 * de-duplicated by post id), status changes in place, "民警正在回复…" while an officer types.
 * Board page and home: new threads wait behind an "N 条新帖" bar instead of jumping the page.
 * Officer inbox: new unanswered threads arrive at their place, answered ones leave, the count is
 * in the title. Every page: the bell's unread count. Payloads are the JSON API's; replies and list
 * rows come as the server's own escaped HTML (`html`, rendered by the page's templates), every
 * other field is set as text. */
(function () {
  "use strict";
  if (typeof window.io !== "function") return;

  var OFFICIAL_ROLES = ["officer", "leader", "dispatcher"];
  var TYPING_SEND_EVERY = 2000;  // ms between typing events we send while the officer types
  var TYPING_IDLE = 4000;        // ms without keystrokes after which we say "stopped"
  var TYPING_SHOW = 6000;        // ms an indicator stays without a fresh typing event

  var body = document.body;
  var role = body.getAttribute("data-role") || "";
  var threadEl = document.querySelector("article.thread[data-thread-id]");
  var threadId = threadEl ? parseInt(threadEl.getAttribute("data-thread-id"), 10) : null;
  var postsEl = document.querySelector("[data-posts]");
  var boardList = document.querySelector("[data-thread-list][data-board]");
  var homeList = document.querySelector("[data-live-home] [data-thread-list]");
  var inboxEl = document.querySelector("[data-inbox]");
  var bell = document.querySelector("[data-bell]");
  var notesEl = document.querySelector("[data-notifications]");
  if (!threadId && !boardList && !homeList && !inboxEl && !bell) return;

  var socket = window.io({ withCredentials: true });
  window.boardLive = { socket: socket };  // for debugging and the browser tests

  // --- small DOM helpers ----------------------------------------------------------------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function sanitizedFragment(html) {  // server-sanitized HTML; a <template> never runs scripts
    var tpl = document.createElement("template");
    tpl.innerHTML = html || "";
    return tpl.content;
  }
  function flash(node) {
    node.classList.add("just-arrived");
    setTimeout(function () { node.classList.remove("just-arrived"); }, 4000);
  }
  function timeEl(iso) {
    var t = el("time", null, tr("刚刚"));
    if (iso) t.setAttribute("datetime", iso);
    return t;
  }

  // --- thread page ----------------------------------------------------------------------
  // Replies come rendered by the server (templates/threads/_post.html, the page's own macro) in
  // each event's `html` and in every catch-up post's `html`: this script only places them.
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  function serverPost(html, id) {  // the pushed <li> for post `id`, and nothing else
    var node = html ? sanitizedFragment(html).firstElementChild : null;
    if (!node || node.tagName !== "LI" || !node.classList.contains("post") ||
        node.getAttribute("data-post-id") !== String(id)) return null;
    Array.prototype.forEach.call(node.querySelectorAll('input[name="csrf_token"]'), function (i) {
      if (csrfMeta) i.value = csrfMeta.content;  // this page's token, whoever rendered the form
    });
    return node;
  }

  function postNodes() { return postsEl ? postsEl.querySelectorAll("[data-post-id]") : []; }

  function lastPostId() {
    var max = 0;
    Array.prototype.forEach.call(postNodes(), function (node) {
      max = Math.max(max, parseInt(node.getAttribute("data-post-id"), 10) || 0);
    });
    return max;
  }

  function updateReplyCount() {  // withdrawn replies stay in place but are not counted
    var counter = document.querySelector("[data-reply-count]");
    if (!counter) return;
    var n = 0;
    Array.prototype.forEach.call(postNodes(), function (node) {
      if (!node.classList.contains("withdrawn-post")) n += 1;
    });
    counter.textContent = String(n);
  }

  function addPost(post, html) {
    if (!postsEl || post.thread_id !== threadId) return;
    if (postsEl.querySelector('[data-post-id="' + post.id + '"]')) return;  // seen already
    var node = serverPost(html, post.id);
    if (!node) return;
    var before = null;  // keep id order even when catch-up and live events interleave
    Array.prototype.some.call(postNodes(), function (other) {
      if (parseInt(other.getAttribute("data-post-id"), 10) > post.id) { before = other; return true; }
      return false;
    });
    var empty = postsEl.querySelector("[data-empty]");
    if (empty) empty.remove();
    postsEl.insertBefore(node, before);
    flash(node);
    updateReplyCount();
    hideTyping(post.author && post.author.id);
  }

  function updatePost(post, html) {
    if (!postsEl) return;
    var node = postsEl.querySelector('[data-post-id="' + post.id + '"]');
    if (!node) return;
    if (!html) {  // hidden: gone, unless we were sent (before this) the hidden reply to keep
      if (!node.classList.contains("hidden-post")) node.remove();
      updateReplyCount();
      return;
    }
    var fresh = serverPost(html, post.id);
    if (!fresh) return;
    node.replaceWith(fresh);
    flash(fresh);
    updateReplyCount();  // a withdrawal takes it off the count
  }

  function setStatus(container, thread) {
    var badge = container && container.querySelector(".status");
    // A lost-and-found or missing-person notice shows its own state, not the thread's status.
    if (!badge || badge.hasAttribute("data-notice-state")) return;
    badge.className = "status status-" + thread.status;
    badge.textContent = ENGLISH && thread.status_label_en ? thread.status_label_en
                                                          : thread.status_label;
  }

  function updateThreadPage(thread, html) {
    if (thread.id !== threadId) return;
    setStatus(threadEl.querySelector("header"), thread);
    // Its author edited or withdrew it: the words as the server renders them for any reader.
    var current = threadEl.querySelector("[data-thread-content]");
    var fresh = html ? sanitizedFragment(html).firstElementChild : null;
    if (current && fresh && fresh.hasAttribute("data-thread-content")) {
      current.replaceWith(fresh);
      flash(fresh);
    }
  }

  // typing indicator (receiving side)
  var typingEl = null, typingTimer = null, typingUser = null;
  function showTyping(user) {
    if (!postsEl) return;
    if (!typingEl) {
      typingEl = el("p", "typing-indicator");
      typingEl.setAttribute("role", "status");
      typingEl.setAttribute("aria-live", "polite");
      postsEl.parentNode.insertBefore(typingEl, postsEl.nextSibling);
    }
    typingEl.textContent = "";
    typingEl.appendChild(el("strong", "officer-name", user.real_name || user.display_name));
    typingEl.appendChild(document.createTextNode(" " + tr("民警正在回复…")));
    typingEl.hidden = false;
    typingUser = user.id;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { hideTyping(); }, TYPING_SHOW);
  }
  function hideTyping(userId) {
    if (!typingEl || (userId !== undefined && userId !== null && userId !== typingUser)) return;
    typingEl.hidden = true;
    clearTimeout(typingTimer);
  }

  // typing (sending side): officers only; the server ignores anyone else anyway
  function watchTyping() {
    var form = document.querySelector(".reply-form");
    var box = form && form.querySelector("textarea");
    if (!box || OFFICIAL_ROLES.indexOf(role) < 0) return;
    var lastSent = 0, idleTimer = null, active = false;
    function stop() {
      if (!active) return;
      active = false;
      socket.emit("typing", { thread_id: threadId, typing: false });
    }
    box.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastSent > TYPING_SEND_EVERY) {
        lastSent = now;
        active = true;
        socket.emit("typing", { thread_id: threadId });
      }
      clearTimeout(idleTimer);
      idleTimer = setTimeout(function () { lastSent = 0; stop(); }, TYPING_IDLE);
    });
    box.addEventListener("blur", function () { lastSent = 0; stop(); });
    form.addEventListener("submit", stop);
  }

  function catchUp() {
    socket.emit("catch_up", { thread_id: threadId, after_post_id: lastPostId() }, function (reply) {
      if (!reply || !reply.ok) return;
      reply.posts.forEach(function (post) { addPost(post, post.html); });
      updateThreadPage(reply.thread);
      if (reply.more) catchUp();
    });
  }

  // --- lists: board page, home, officer inbox --------------------------------------------
  // Rows come rendered by the server (board/serializers.py: the page's own templates, escaped
  // there) in each event's `html`, one per list, with `data-sort` in the page's order
  // (board/lists.py): this script only places them and never decides what a row shows.
  function serverRow(html, id) {  // the pushed <li> for thread `id`, and nothing else
    var node = html ? sanitizedFragment(html).firstElementChild : null;
    var ok = node && node.tagName === "LI" && node.classList.contains("thread-row") &&
      node.getAttribute("data-thread-id") === String(id) && node.hasAttribute("data-sort");
    return ok ? node : null;
  }
  function rowIn(list, id) {
    return list.querySelector('.thread-row[data-thread-id="' + id + '"]');
  }
  function placeFor(list, row) {  // the first row the page orders after `row` (null: the end)
    var sort = row.getAttribute("data-sort");
    return Array.prototype.find.call(list.querySelectorAll(".thread-row[data-sort]"),
      function (other) { return other.getAttribute("data-sort") > sort; }) || null;
  }
  function dropEmpty(list) {
    var empty = list.querySelector(".empty, [data-empty]");
    if (empty) empty.remove();
  }

  // Board page and home: new threads wait behind a bar; updated rows change in place.
  function NewThreads(list) {
    var pending = {}, bar = null;
    function reveal() {
      Object.keys(pending).forEach(function (id) {
        var row = pending[id];
        if (rowIn(list, id)) return;
        row.classList.add("slide-in");
        list.insertBefore(row, placeFor(list, row));
        flash(row);
      });
      pending = {};
      dropEmpty(list);
      if (bar) { bar.parentNode.remove(); bar = null; }
    }
    this.add = function (thread, html) {
      var row = serverRow(html, thread.id);
      if (!row || rowIn(list, thread.id) || pending[thread.id]) return;
      pending[thread.id] = row;
      if (!bar) {
        bar = el("button", "new-threads-bar");
        bar.type = "button";
        bar.setAttribute("aria-live", "polite");
        bar.addEventListener("click", reveal);
        var item = el("li", "new-threads-item");
        item.appendChild(bar);
        list.insertBefore(item, placeFor(list, row));
      }
      bar.textContent = tr("{n} 条新帖,点击查看", { n: Object.keys(pending).length });
    };
    this.update = function (thread, html) {  // in place: the list never jumps under a reader
      var row = rowIn(list, thread.id), fresh = serverRow(html, thread.id);
      if (!fresh) return;
      if (row) row.replaceWith(fresh);
      if (pending[thread.id]) pending[thread.id] = fresh;
    };
  }

  // Officer inbox: a row arrives at its place, moves when it changes, leaves when `html` is null.
  var baseTitle = document.title.replace(/^\(\d+\) /, "");  // the server's count comes off
  function inboxCount() {
    var n = inboxEl.querySelectorAll(".thread-row[data-thread-id]").length;
    var counter = document.querySelector("[data-inbox-count]");
    if (counter) {
      counter.textContent = String(n);
      counter.classList.toggle("zero", n === 0);
    }
    document.title = (n ? "(" + n + ") " : "") + baseTitle;
  }
  function inboxUpsert(thread, html) {
    var row = rowIn(inboxEl, thread.id), fresh = serverRow(html, thread.id);
    if (html && !fresh) return;
    if (row) row.remove();
    if (fresh) {
      dropEmpty(inboxEl);
      inboxEl.insertBefore(fresh, placeFor(inboxEl, fresh));
      if (!row) flash(fresh);
    }
    inboxCount();
  }

  // --- bell -----------------------------------------------------------------------------
  function setBell(count) {
    if (!bell) return;
    var badge = bell.querySelector("[data-bell-count]");
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.hidden = !count;
    bell.classList.toggle("has-unread", count > 0);
    bell.setAttribute("aria-label", count ? tr("通知({n} 条未读)", { n: count }) : tr("通知"));
  }
  function addNotification(note) {
    if (!notesEl || notesEl.querySelector('[data-notification-id="' + note.id + '"]')) return;
    var li = el("li", "notification unread kind-" + note.kind);
    li.setAttribute("data-notification-id", note.id);
    var a = el("a", "notification-link");
    a.href = note.url || "#";
    a.appendChild(el("span", "tag notification-kind", note.kind_label));
    a.appendChild(el("span", "notification-text", note.text));
    var t = timeEl(note.created_at);
    t.className = "muted small";
    a.appendChild(t);
    li.appendChild(a);
    var empty = notesEl.querySelector("[data-empty]");
    if (empty) empty.remove();
    notesEl.insertBefore(li, notesEl.firstChild);
    flash(li);
  }
  if (notesEl) {  // opening a notification marks it read (the form buttons work without JS)
    notesEl.addEventListener("click", function (event) {
      var link = event.target.closest(".notification.unread .notification-link");
      if (!link) return;
      var id = parseInt(link.parentNode.getAttribute("data-notification-id"), 10);
      var token = document.querySelector('meta[name="csrf-token"]');
      fetch("/api/v1/me/notifications/read", {
        method: "POST", credentials: "same-origin", keepalive: true,
        headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.content : "" },
        body: JSON.stringify({ ids: [id] })
      }).catch(function () {});
    });
  }

  // --- wiring ---------------------------------------------------------------------------
  var boardFeed = boardList ? new NewThreads(boardList) : null;
  var homeFeed = homeList ? new NewThreads(homeList) : null;

  socket.on("connect", function () {  // every (re)connect: rooms are per connection
    if (threadId) {
      socket.emit("join", { room: "thread:" + threadId }, function (reply) {
        if (reply && reply.ok) catchUp();
      });
    }
    if (boardList) socket.emit("join", { room: "board:" + boardList.getAttribute("data-board") });
    if (homeList) socket.emit("join", { room: "home" });
  });

  // Pushed markup comes in both interface languages (board/fragments.py in_languages): `html`
  // in Chinese, `html_en` for a page shown in English.
  var ENGLISH = document.documentElement.lang === "en";
  function markup(data) { return ENGLISH && "html_en" in data ? data.html_en : data.html; }
  socket.on("post_created", function (data) { addPost(data.post, markup(data)); });
  socket.on("post_updated", function (data) { updatePost(data.post, markup(data)); });
  socket.on("typing", function (data) {
    if (data.thread_id !== threadId) return;
    if (data.typing === false) hideTyping(data.user && data.user.id);
    else showTyping(data.user || {});
  });
  function showRows(data, verb) {  // verb: "add" (thread_created) or "update"
    var thread = data.thread, html = markup(data) || {};
    if (boardFeed && html.board && thread.board === boardList.getAttribute("data-board")) {
      boardFeed[verb](thread, html.board);
    }
    if (homeFeed && html.home) homeFeed[verb](thread, html.home);
    if (inboxEl && "inbox" in html) inboxUpsert(thread, html.inbox);
  }
  socket.on("thread_created", function (data) { showRows(data, "add"); });
  socket.on("thread_updated", function (data) {
    if (threadId) updateThreadPage(data.thread, typeof data.html === "string" ? markup(data) : null);
    showRows(data, "update");
  });
  socket.on("notification", function (data) {
    setBell(data.unread_count);
    if (!data.notification) return;
    addNotification(data.notification);
    // Say it arrived (issue 17): a text message or e-mail about it is then not sent, or only
    // if it stays unread; on the very thread, visible, it counts as read.
    var reading = threadId !== null && data.notification.thread_id === threadId &&
      document.visibilityState === "visible";
    socket.emit("notification_seen", { id: data.notification.id, reading: reading });
  });

  // Safety net: a pushed event can be lost without the socket noticing (the message queue
  // between processes down, a proxy dropping frames). Catching up from the database is cheap and
  // de-duplicated by post id, so do it every 20 s and whenever the page becomes visible again.
  if (threadId) {
    setInterval(function () { if (socket.connected) catchUp(); }, 20000);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && socket.connected) catchUp();
    });
  }

  if (threadId) watchTyping();
  if (inboxEl) inboxCount();
})();
