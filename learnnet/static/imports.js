// Import forms: while a large file is checked or imported, show that work is going on and
// keep the button from being pressed twice.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("form[data-busy-form]"), function (form) {
    form.addEventListener("submit", function () {
      var busy = form.querySelector("[data-busy]");
      if (busy) { busy.classList.remove("d-none"); }
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (button) {
        // Disabled after this tick, so the form still submits with the button's value.
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
}());
