// The export job page: polls /exports/<id>.json every 1.5 s while the job runs and updates the
// progress bar, the status and, when it is done, the download link. Without JavaScript the page
// refreshes itself (a <noscript> meta refresh) instead.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box || box.getAttribute("data-finished") === "true") { return; }
  var url = box.getAttribute("data-state-url");
  var bar = document.getElementById("export-progress");
  var status = document.getElementById("export-status");
  var count = document.getElementById("export-count");
  var total = document.getElementById("export-total");
  var error = document.getElementById("export-error");
  var download = document.getElementById("export-download");
  var link = document.getElementById("export-download-link");
  function show(state) {
    bar.value = state.percent;
    bar.textContent = state.percent + " %";
    status.textContent = state.status_label;
    count.textContent = String(state.done);
    total.textContent = String(state.total);
    if (state.error) {
      error.textContent = state.error;
      error.classList.remove("d-none");
    }
    if (state.download_url) {
      link.setAttribute("href", state.download_url);
      download.classList.remove("d-none");
    }
    box.setAttribute("data-finished", state.finished ? "true" : "false");
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state) { show(state); }
        if (!state || !state.finished) { window.setTimeout(poll, 1500); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
