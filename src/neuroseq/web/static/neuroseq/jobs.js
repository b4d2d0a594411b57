// The job page: poll the job's status every two seconds while it runs, update the
// progress bar, and reload once the job has finished (to show the result or the error).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") { return; }
  var url = box.dataset.statusUrl;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { window.setTimeout(poll, 5000); return; }
        if (s.finished) { window.location.reload(); return; }
        var bar = document.getElementById("job-progress");
        if (bar) { bar.value = s.progress; bar.textContent = s.progress + "%"; }
        var note = document.getElementById("job-note");
        if (note) { note.textContent = s.note; }
        var status = document.getElementById("job-status");
        if (status && status.textContent !== s.status_label) { status.textContent = s.status_label; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
