/* 关注 / 同问 without a reload (issue 17). The form works without this script (a POST and a
 * redirect back); here the same buttons call POST/DELETE /api/v1/threads/<id>/follow and the
 * bar shows the new state and 「N 人同问」. */
(function () {
  "use strict";
  var bar = document.querySelector("[data-follow]");
  var form = bar && bar.querySelector("[data-follow-form]");
  if (!form || !window.fetch) return;
  var threadId = bar.getAttribute("data-thread-id");
  var mine = bar.getAttribute("data-mine") === "1";
  var token = form.querySelector('input[name="csrf_token"]');

  function show(state) {
    bar.querySelector("[data-same-question-count]").textContent = String(state.same_question_count);
    var label = bar.querySelector("[data-follow-state]");
    label.textContent = state.same_question ? tr("已同问") : (mine ? tr("我的提问 · 已关注") : tr("已关注"));
    label.hidden = !state.following;
    form.querySelector('[data-follow-action="follow"]').hidden = state.following;
    var same = form.querySelector('[data-follow-action="same_question"]');
    if (same) same.hidden = state.same_question;
    form.querySelector('[data-follow-action="unfollow"]').hidden = !state.following;
  }

  form.addEventListener("submit", function (event) {
    var action = event.submitter ? event.submitter.value : "follow";
    event.preventDefault();
    fetch("/api/v1/threads/" + threadId + "/follow", {
      method: action === "unfollow" ? "DELETE" : "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
      body: action === "unfollow" ? null : JSON.stringify({ same_question: action === "same_question" })
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(show).catch(function () {
      var field = document.createElement("input");  // the plain form still works, with the
      field.type = "hidden";                         // server's message
      field.name = "action";
      field.value = action;
      form.appendChild(field);
      form.submit();
    });
  });
})();
