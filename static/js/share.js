// 「分享」 (issue 21): the phone's share sheet where the browser has one (navigator.share), else
// the link is copied and 「链接已复制」 shows; when even copying is refused, the link is shown
// selected for a long press. And the poster's 「打印海报」 button.
(function () {
  "use strict";

  function toast(box, text) {
    var el = box.querySelector("[data-share-toast]");
    if (!el) return;
    el.textContent = text;
    clearTimeout(el._hide);
    el._hide = setTimeout(function () { el.textContent = ""; }, 2500);
  }

  function copyWithSelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "sr-only";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; },
        function () { return copyWithSelection(text); });
    }
    return Promise.resolve(copyWithSelection(text));
  }

  function showLink(box, button) {
    var input = box.querySelector("[data-share-link]");
    if (!input) return;
    input.hidden = false;
    input.focus();
    input.select();
    toast(box, button.dataset.copyFailed);
  }

  function share(button) {
    var box = button.closest(".share-box") || document;
    var url = button.dataset.shareUrl, title = button.dataset.shareTitle;
    if (navigator.share) {
      navigator.share({ title: title, url: url }).catch(function (err) {
        if (err && err.name === "AbortError") return; // the reader closed the sheet
        copy(url).then(function (ok) { ok ? toast(box, button.dataset.copied) : showLink(box, button); });
      });
      return;
    }
    copy(url).then(function (ok) { ok ? toast(box, button.dataset.copied) : showLink(box, button); });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-share]");
    if (button) { event.preventDefault(); share(button); return; }
    if (event.target.closest("[data-print]")) { event.preventDefault(); window.print(); }
  });
})();
