/* The board's page behaviour, with no inline scripts (the CSP forbids them).
 * "Load more" on board pages: fetch the next keyset page as HTML rows and append it; without
 * JavaScript the link still works as a plain next page. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-load-more]");
    if (!link) return;
    event.preventDefault();
    var list = document.querySelector("[data-thread-list]");
    var url = new URL(link.href, location.href);
    url.searchParams.set("partial", "1");
    var label = link.textContent;
    link.textContent = tr("加载中…");
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        var next = response.headers.get("X-Next-Cursor");
        return response.text().then(function (html) { return { html: html, next: next }; });
      })
      .then(function (page) {
        var tpl = document.createElement("template");
        tpl.innerHTML = page.html;
        list.appendChild(tpl.content);
        if (page.next) {
          url.searchParams.delete("partial");
          url.searchParams.set("cursor", page.next);
          link.href = url.toString();
          link.textContent = label;
        } else {
          link.remove();
        }
      })
      .catch(function () { location.href = link.href; });
  });
})();
