// Long work on a page: show that it is under way, and keep a second click from starting it again.
document.querySelectorAll("form.busy-form").forEach(function (form) {
  form.addEventListener("submit", function () {
    var busy = form.querySelector(".busy");
    if (busy) busy.hidden = false;
    form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
  });
});
