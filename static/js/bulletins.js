/* The poster page's 打印 button (issue 21); the CSP forbids inline handlers. */
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
