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

// The page of an import being saved: asks the server every second how far it has come and
// moves the bar; when it has finished, loads the page again, which leads on to the result.
(function () {
  "use strict";
  var POLL_MS = 1000;
  var box = document.querySelector("[data-import-status]");
  if (!box) { return; }

  function poll() {
    fetch(box.dataset.importStatus, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (status) {
        if (status.finished) {
          window.location.reload();
          return;
        }
        var bar = box.querySelector(".ln-import-progress");
        bar.max = status.rows_total || 1;
        bar.value = status.rows_done;
        bar.textContent = status.percent + " %";
        box.querySelector(".ln-import-step").textContent = status.text;
        box.querySelector(".ln-import-rows").textContent = status.rows_done + " / " + status.rows_total;
        window.setTimeout(poll, POLL_MS);
      })
      .catch(function () {
        // The upload is gone (imported) or the connection dropped: the page knows where to go.
        window.setTimeout(function () { window.location.reload(); }, POLL_MS * 3);
      });
  }

  window.setTimeout(poll, POLL_MS);
}());
