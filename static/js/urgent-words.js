/* The 110 banner while a resident types: the moment the title or text holds one of the board's
 * emergency words (board/urgency.py's list, given to the form as data-urgent-words), a red banner
 * with a tap-to-call 110 link appears — before anything is posted. No inline script (CSP). */
(function () {
  "use strict";

  function setup(form) {
    var banner = form.querySelector("[data-urgent-banner]");
    var found = form.querySelector("[data-urgent-found]");
    var words;
    try { words = JSON.parse(form.getAttribute("data-urgent-words") || "[]"); } catch (e) { words = []; }
    if (!banner || !words.length) return;
    var fields = ["title", "body"].map(function (name) {
      return form.querySelector('[name="' + name + '"]');
    }).filter(Boolean);

    function check() {
      var text = fields.map(function (el) { return el.value; }).join("\n");
      var hits = words.filter(function (word) { return text.indexOf(word) !== -1; });
      if (found) found.textContent = hits.slice(0, 3).join("、");
      var show = hits.length > 0;
      if (show === !banner.hidden) return;
      banner.hidden = !show;
    }
    fields.forEach(function (el) {
      el.addEventListener("input", check);
      el.addEventListener("compositionend", check);  // pinyin input: the word is committed here
    });
    check();  // a form shown again after a refused submission
  }

  document.querySelectorAll("form[data-urgent-words]").forEach(setup);
})();
