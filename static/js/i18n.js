/* The words the scripts write into pages, in the page's language (issue 21). On an English page
   the server embeds its translations (board/i18n.py JS_STRINGS) in #js-strings[data-words]; `tr("已关注")`
   returns the English, or the Chinese itself on a Chinese page. `{name}` placeholders are
   filled from `values`. Loaded first (in <head>, deferred), so every script can use it. */
(function () {
  "use strict";
  var table = {};
  var source = document.getElementById("js-strings");
  if (source) {
    try { table = JSON.parse(source.getAttribute("data-words")) || {}; } catch (e) { table = {}; }
  }
  window.tr = function (words, values) {
    var out = Object.prototype.hasOwnProperty.call(table, words) ? table[words] : words;
    Object.keys(values || {}).forEach(function (name) {
      out = out.split("{" + name + "}").join(String(values[name]));
    });
    return out;
  };
})();
