// Print buttons (data-print): a handler here, since the Content-Security-Policy allows
// no inline script.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
