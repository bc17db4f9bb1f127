// The field marked autofocus takes the keys from the first instant. The browser applies
// autofocus only at its next rendering update, which can come after the page's load
// event, so a registrar who presses Tab or types at once sent the keys to the page
// (Tab landed on the top bar's first link, and Enter followed it). Page scripts that
// choose their own field run after this one and win.
(function () {
  const field = document.querySelector("[autofocus]");
  if (field && (!document.activeElement || document.activeElement === document.body)) {
    field.focus();
  }
})();
