/* 预警 banners (issue 21). The page holds an empty [data-alert-banners] (cached pages too); this
 * asks /api/v1/alerts/active for the alerts of this moment and draws them, most urgent first.
 * 「我知道了」 hides one for good: signed in, it is recorded (the unit counts it); anonymous, it is
 * remembered in this browser (localStorage). Text goes in with textContent: never as HTML. */
(function () {
  "use strict";
  var box = document.querySelector("[data-alert-banners]");
  if (!box || !window.fetch) return;
  var KEY = "board.alerts.acknowledged";
  var signedIn = !!document.body.getAttribute("data-user-id");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var board = box.getAttribute("data-board");

  function remembered() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function remember(id) {
    try {
      var ids = remembered().filter(function (x) { return x !== id; });
      ids.push(id);
      window.localStorage.setItem(KEY, JSON.stringify(ids.slice(-100)));
    } catch (e) { /* private mode: it comes back next time */ }
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": meta ? meta.content : "" },
      body: JSON.stringify(body || {})
    });
  }

  function banner(alert) {
    var el = document.createElement("div");
    el.className = "alert-banner alert-level-" + alert.level;
    el.setAttribute("role", alert.level === "urgent" ? "alert" : "status");
    el.setAttribute("data-alert-id", String(alert.id));
    var head = document.createElement("p");
    head.className = "alert-banner-head";
    var tag = document.createElement("span");
    tag.className = "alert-level-tag";
    tag.textContent = alert.level_label;
    var title = document.createElement("strong");
    title.className = "alert-banner-title";
    title.textContent = alert.title;
    title.setAttribute("data-user-text", "");  // the officer's own words, never translated
    head.appendChild(tag);
    head.appendChild(title);
    var text = document.createElement("p");
    text.className = "alert-banner-text";
    text.textContent = alert.text;
    text.setAttribute("data-user-text", "");  // the officer's own words, never translated
    var foot = document.createElement("p");
    foot.className = "alert-banner-foot";
    var unit = document.createElement("span");
    unit.className = "alert-banner-unit";
    unit.textContent = alert.unit;
    unit.setAttribute("data-user-text", "");  // the officer's own words, never translated
    var more = document.createElement("a");
    more.href = alert.url;
    more.textContent = box.getAttribute("data-more-label") || "详情";
    var ack = document.createElement("button");
    ack.type = "button";
    ack.className = "btn btn-small alert-ack";
    ack.setAttribute("data-alert-ack", "");
    ack.textContent = box.getAttribute("data-ack-label") || "我知道了";
    ack.addEventListener("click", function () {
      el.remove();
      if (signedIn) post("/api/v1/alerts/" + alert.id + "/acknowledge");
      else remember(alert.id);
    });
    foot.appendChild(unit);
    foot.appendChild(more);
    foot.appendChild(ack);
    el.appendChild(head);
    el.appendChild(text);
    el.appendChild(foot);
    return el;
  }

  var url = "/api/v1/alerts/active" + (board ? "?board=" + encodeURIComponent(board) : "");
  fetch(url, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }).then(function (data) {
    var done = signedIn ? [] : remembered();
    var shown = data.alerts.filter(function (a) { return done.indexOf(a.id) < 0; });
    shown.forEach(function (a) { box.appendChild(banner(a)); });
    box.setAttribute("data-loaded", String(shown.length));
    if (signedIn && shown.length) {
      post("/api/v1/alerts/seen", { ids: shown.map(function (a) { return a.id; }) });
    }
  }).catch(function () { box.setAttribute("data-loaded", "error"); });
})();
