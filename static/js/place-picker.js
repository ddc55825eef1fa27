/* The new-thread form's place picker: district → street → community, typed suggestions (names,
 * estates, roads), and 「使用我的位置」 matched in the browser to the nearest community with
 * coordinates — the position never leaves the phone, and no outside map service is asked.
 * The places come from GET /api/v1/places (cached by the browser; kept in localStorage for a
 * flaky network). Without JavaScript, or if the list cannot be had, the grouped <select> the
 * page renders stays as it is. No inline script (CSP). */
(function () {
  "use strict";
  var STORE_KEY = "board-places";
  var LIMIT = 8;
  var LEVEL_NAMES = { district: tr("区"), street: tr("街道"), community: tr("社区") };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function load(url) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) {
        try { localStorage.setItem(STORE_KEY, JSON.stringify(data)); } catch (e) { /* full */ }
        return data;
      })
      .catch(function (err) {
        var kept = null;
        try { kept = JSON.parse(localStorage.getItem(STORE_KEY) || "null"); } catch (e) { kept = null; }
        if (kept && kept.places) return kept;
        throw err;
      });
  }

  function metres(a, b) {  // haversine, on a sphere of the Earth's mean radius
    var rad = Math.PI / 180, dLat = (b.lat - a.lat) * rad, dLng = (b.lng - a.lng) * rad;
    var h = Math.pow(Math.sin(dLat / 2), 2) +
      Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.pow(Math.sin(dLng / 2), 2);
    return 2 * 6371000 * Math.asin(Math.sqrt(h));
  }

  function setup(box, data) {
    var fallback = box.querySelector("[data-place-select]");
    var places = data.places || [];
    if (!fallback || !places.length) return;
    var byCode = {}, children = {};
    places.forEach(function (p) {
      byCode[p.code] = p;
      (children[p.parent || ""] = children[p.parent || ""] || []).push(p);
    });

    // The value the form sends; the grouped select is kept for no-JS use only.
    var value = el("input", { type: "hidden", name: "place" });
    value.value = byCode[fallback.value] ? fallback.value : "";
    fallback.disabled = true;
    fallback.hidden = true;
    box.appendChild(value);

    var ui = el("div", { "class": "place-picker" });
    var search = el("input", {
      type: "search", id: "place-search", autocomplete: "off", enterkeyhint: "search",
      placeholder: tr("输入社区、小区或街道名,如:幸福"), role: "combobox",
      "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": "place-suggestions"
    });
    var list = el("ul", { "class": "place-suggestions", id: "place-suggestions", role: "listbox" });
    list.hidden = true;
    var steps = el("div", { "class": "place-steps" });
    var selects = ["district", "street", "community"].map(function (level) {
      var s = el("select", { "aria-label": LEVEL_NAMES[level], "data-level": level });
      steps.appendChild(s);
      return s;
    });
    var locate = el("button", { type: "button", "class": "btn btn-small place-locate",
                                "data-locate": "" }, tr("使用我的位置"));
    var chosen = el("p", { "class": "place-chosen", "aria-live": "polite", "data-place-chosen": "" });
    var searchWrap = el("div", { "class": "place-search" });
    searchWrap.appendChild(search);
    searchWrap.appendChild(list);
    ui.appendChild(searchWrap);
    ui.appendChild(steps);
    ui.appendChild(locate);
    ui.appendChild(chosen);
    box.appendChild(ui);
    var label = box.querySelector("label[for]");
    if (label) label.setAttribute("for", "place-search");

    var leaves = places.filter(function (p) {
      return !children[p.code] && typeof p.lat === "number" && typeof p.lng === "number";
    });
    if (!leaves.length || !navigator.geolocation || !window.isSecureContext) locate.hidden = true;

    function chain(code) {  // [district, street, community] down to the place
      var out = [];
      for (var p = byCode[code]; p; p = byCode[p.parent]) out.unshift(p);
      return out;
    }

    function fill(select, parentCode, picked, prompt) {
      select.textContent = "";
      select.appendChild(el("option", { value: "" }, prompt));
      (children[parentCode] || []).forEach(function (p) {
        var option = el("option", { value: p.code, "data-user-text": "" }, p.name);
        if (picked && picked.code === p.code) option.selected = true;
        select.appendChild(option);
      });
      select.disabled = parentCode === null || !(children[parentCode] || []).length;
    }

    function show(note) {
      var path = chain(value.value);
      fill(selects[0], "", path[0], tr("选择区"));
      fill(selects[1], path[0] ? path[0].code : null, path[1], path[0] ? tr("整个区 / 选择街道") : tr("街道"));
      fill(selects[2], path[1] ? path[1].code : null, path[2], path[1] ? tr("整个街道 / 选择社区") : tr("社区"));
      chosen.textContent = "";
      var place = byCode[value.value];
      if (!place) return;
      chosen.appendChild(document.createTextNode(tr("已选:")));
      chosen.appendChild(el("span", { "data-user-text": "" }, place.label));
      if (place.station) {
        chosen.appendChild(document.createTextNode("("));
        chosen.appendChild(el("span", { "data-user-text": "" }, place.station.name));
        chosen.appendChild(document.createTextNode(tr("辖区") + ")"));
      }
      if (note) chosen.appendChild(document.createTextNode(" " + note));
      var clear = el("button", { type: "button", "class": "link-button", "data-place-clear": "" }, tr("清除"));
      clear.addEventListener("click", function () { pick(""); search.focus(); });
      chosen.appendChild(clear);
    }

    function pick(code, note) {
      value.value = code || "";
      show(note);
    }

    selects.forEach(function (select, depth) {
      select.addEventListener("change", function () {
        var up = depth > 0 ? selects[depth - 1].value : "";
        pick(select.value || up);
      });
    });

    // Typed suggestions: names first, then estates and roads; "幸福小区" also finds 幸福社区.
    function matches(query) {
      var q = query.replace(/\s+/g, "");
      var stem = q.replace(/(社区|小区|街道|居委会|区)$/, "") || q;
      var rank = { community: 0, street: 1, district: 2 };
      var found = [];
      places.forEach(function (p) {
        var score = null, alias = null;
        if (p.name.indexOf(q) === 0) score = 0;
        else if (p.name.indexOf(q) !== -1 || p.name.indexOf(stem) !== -1) score = 1;
        else {
          (p.aliases || []).some(function (a) {
            if (a.indexOf(q) !== -1 || a.indexOf(stem) !== -1) { alias = a; return true; }
            return false;
          });
          if (alias) score = 2;
          else if (p.path.join("").indexOf(q) !== -1) score = 3;
        }
        if (score !== null) found.push({ place: p, alias: alias, score: score * 3 + rank[p.level] });
      });
      found.sort(function (a, b) { return a.score - b.score; });
      return found.slice(0, LIMIT);
    }

    var active = -1;
    function close() {
      list.hidden = true;
      search.setAttribute("aria-expanded", "false");
      active = -1;
    }
    function highlight(index) {
      var items = list.querySelectorAll("li");
      active = Math.max(-1, Math.min(index, items.length - 1));
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
    }
    function suggest() {
      var q = search.value.trim();
      list.textContent = "";
      if (!q) { close(); return; }
      var found = matches(q);
      if (!found.length) {
        list.appendChild(el("li", { "class": "place-none" }, tr("没有找到「{q}」,可以用下面的选项逐级选择", { q: q })));
      }
      found.forEach(function (m) {
        var li = el("li", { role: "option", "data-code": m.place.code, "aria-selected": "false" });
        li.appendChild(el("strong", {}, m.place.name));
        if (m.alias) li.appendChild(el("span", { "class": "place-alias" }, "(" + m.alias + ")"));
        var where = m.place.path.slice(0, -1).join(" ") || LEVEL_NAMES[m.place.level];
        li.appendChild(el("span", { "class": "place-where" },
          where + (m.place.station ? " · " + m.place.station.name : "")));
        list.appendChild(li);
      });
      list.hidden = false;
      search.setAttribute("aria-expanded", "true");
      active = -1;
    }
    function choose(li) {
      if (!li || !li.getAttribute("data-code")) return;
      pick(li.getAttribute("data-code"));
      search.value = "";
      close();
    }
    search.addEventListener("input", suggest);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();  // never submit the form from here
      if (list.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter") {
        choose(list.querySelectorAll("li")[Math.max(active, 0)]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    list.addEventListener("click", function (event) { choose(event.target.closest("li")); });
    document.addEventListener("click", function (event) {
      if (!searchWrap.contains(event.target)) close();
    });

    locate.addEventListener("click", function () {
      chosen.textContent = tr("正在定位…");
      navigator.geolocation.getCurrentPosition(function (pos) {
        var here = { lat: pos.coords.latitude, lng: pos.coords.longitude };
        var best = null, bestM = Infinity;
        leaves.forEach(function (p) {
          var m = metres(here, p);
          if (m < bestM) { best = p; bestM = m; }
        });
        if (!best || bestM > (data.nearest_max_m || 3000)) {
          show();
          chosen.insertBefore(document.createTextNode(
            tr("您的位置不在本市已登记的社区附近,请手动选择。")), chosen.firstChild);
          return;
        }
        pick(best.code, tr("(按定位,约 {m} 米;不对请改选)", { m: Math.round(bestM / 10) * 10 }));
      }, function () {
        show();
        chosen.insertBefore(document.createTextNode(tr("无法获取位置(未允许定位或信号弱),请手动选择。")),
                            chosen.firstChild);
      }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });

    show();
  }

  document.querySelectorAll("[data-place-picker]").forEach(function (box) {
    load(box.getAttribute("data-places-url"))
      .then(function (data) { setup(box, data); })
      .catch(function () { /* the grouped select still works */ });
  });
})();
