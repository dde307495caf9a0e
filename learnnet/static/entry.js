// Monthly entry: nothing typed is lost when the connection drops.
// What is typed is kept in this browser until the server has confirmed the save; when the page is
// opened again with unsaved numbers, they are offered back.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form || !window.localStorage) { return; }
  var key = "learnnet-draft:" + form.dataset.draftKey;
  var banner = document.getElementById("draft-banner");
  var offline = document.getElementById("offline-banner");

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && /^(num|den|val|comment)_\d+$/.test(el.name);
    });
  }

  function read() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function store() {
    var values = {};
    var any = false;
    fields().forEach(function (el) {
      values[el.name] = el.value;
      if (el.value.trim() !== "" && el.value !== el.defaultValue) { any = true; }
    });
    if (any) {
      localStorage.setItem(key, JSON.stringify({ savedAt: Date.now(), values: values }));
    }
  }

  function differs(draft) {
    return fields().some(function (el) {
      return draft.values[el.name] !== undefined && draft.values[el.name] !== el.value;
    });
  }

  if (form.dataset.saved === "1") {
    // The server confirmed the save: the draft has done its job.
    localStorage.removeItem(key);
  } else {
    var draft = read();
    if (draft && draft.values && differs(draft)) {
      banner.classList.remove("d-none");
      document.getElementById("draft-restore").addEventListener("click", function () {
        fields().forEach(function (el) {
          if (draft.values[el.name] !== undefined) { el.value = draft.values[el.name]; }
        });
        banner.classList.add("d-none");
      });
      document.getElementById("draft-discard").addEventListener("click", function () {
        localStorage.removeItem(key);
        banner.classList.add("d-none");
      });
    }
  }

  form.addEventListener("input", store);
  form.addEventListener("submit", function (event) {
    store();
    if (navigator.onLine === false) {
      event.preventDefault();
      offline.classList.remove("d-none");
      offline.scrollIntoView({ block: "center" });
    }
  });
  window.addEventListener("online", function () { offline.classList.add("d-none"); });

})();
