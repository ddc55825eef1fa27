/* Composer warning: while a citizen types, ask the server (the same rules that mask) whether the
 * text holds an ID number, mobile, bank card or plate+name, and say it will be masked in public.
 * Also refuses more than 9 photos before upload. No inline script (CSP). */
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');

  function setup(form) {
    var box = form.querySelector("[data-privacy-warning]");
    if (!box) return;
    var timer = null, last = "";
    function fields() {
      var data = {};
      ["title", "body", "location"].forEach(function (name) {
        var el = form.querySelector('[name="' + name + '"]');
        if (el) data[name] = el.value;
      });
      return data;
    }
    function check() {
      var data = fields(), key = JSON.stringify(data);
      if (key === last) return;
      last = key;
      fetch("/api/v1/privacy/check", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.content : "" },
        body: key
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (result) {
        if (!result) return;
        box.textContent = result.message || "";
        box.hidden = !result.message;
      }).catch(function () { /* the warning is a courtesy; posting still works */ });
    }
    form.addEventListener("input", function (event) {
      if (event.target.type === "file") return;
      clearTimeout(timer);
      timer = setTimeout(check, 500);
    });
    var files = form.querySelector('input[type="file"][data-max-files]');
    if (files) {
      files.addEventListener("change", function () {
        var max = parseInt(files.getAttribute("data-max-files"), 10) || 9;
        if (files.files.length > max) {
          files.value = "";
          box.textContent = tr("每帖最多 {max} 张图片,请重新选择", { max: max });
          box.hidden = false;
        }
      });
    }
  }

  document.querySelectorAll("form[data-privacy-check]").forEach(setup);
})();
