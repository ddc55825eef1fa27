// 获取验证码: after a code was sent the button waits out the resend interval, counting down,
// so a resident does not tap it again and wonder why no second text comes (the server would
// send nothing within the minute anyway). Without this script the button simply stays.
(function () {
  "use strict";
  function countDown(button) {
    var left = parseInt(button.getAttribute("data-resend-after"), 10);
    if (!(left > 0)) { return; }
    var label = button.textContent;
    button.disabled = true;
    var tick = function () {
      if (left <= 0) {
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.textContent = tr("重新获取({n}秒)", { n: left });
      left -= 1;
      window.setTimeout(tick, 1000);
    };
    tick();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-resend-after]").forEach(countDown);
  });
}());
