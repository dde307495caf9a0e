// Follows the learning-session packs being made on the page: asks the server for each
// unfinished pack's status every second and shows its progress and, when ready, its files;
// the notice above the list then says the pack is ready (or could not be made).
(function () {
  "use strict";
  var POLL_MS = 1000;

  function finishNotice(status) {
    var notice = document.querySelector('.ln-pack-notice[data-pack-id="' + status.id + '"]');
    if (!notice || !notice.dataset.done) {
      return;
    }
    var done = status.status === "done";
    notice.textContent = done ? notice.dataset.done : notice.dataset.failed;
    notice.classList.remove("alert-info");
    notice.classList.add(done ? "alert-success" : "alert-danger");
    delete notice.dataset.done;
  }

  function update(item, status) {
    item.querySelector(".ln-pack-step").textContent = status.step;
    var bar = item.querySelector(".ln-pack-progress");
    bar.value = status.progress;
    bar.textContent = status.progress + " %";
    if (status.finished) {
      bar.hidden = true;
      item.dataset.finished = "true";
      finishNotice(status);
    }
    if (status.pdf) {
      item.querySelector(".ln-pack-pdf").href = status.pdf;
      item.querySelector(".ln-pack-zip").href = status.zip;
      if (status.pptx) {
        var pptx = item.querySelector(".ln-pack-pptx");
        pptx.href = status.pptx;
        pptx.hidden = false;
      }
      item.querySelector(".ln-pack-links").hidden = false;
    }
  }

  function poll(item) {
    if (item.dataset.finished === "true") {
      return;
    }
    fetch(item.dataset.packStatus, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (status) {
        update(item, status);
        if (!status.finished) {
          window.setTimeout(function () { poll(item); }, POLL_MS);
        }
      })
      .catch(function () {
        // The connection dropped: try again a little later.
        window.setTimeout(function () { poll(item); }, POLL_MS * 5);
      });
  }

  document.querySelectorAll("[data-pack-status]").forEach(poll);
})();
