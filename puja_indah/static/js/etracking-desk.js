// e-Tracking desk screens, progressive enhancement only: every page works without this file.
// - Intake step one: choosing a file type submits the step at once.
// - Open a file: where the browser has BarcodeDetector, scan the receipt's QR code with the
//   camera. The QR holds the public status address ending in /s/<CODE>; the code goes into the
//   typed field and the form is sent, so the server checks it exactly as if it were typed.
(function () {
  "use strict";

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) { select.form.submit(); }
    });
  });

  var form = document.getElementById("open-form");
  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  if (!form || !start || !stop || !video || !status) { return; }
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) { return; }

  var stream = null;
  var timer = null;
  var detector = null;

  function codeFrom(text) {
    var match = /\/s\/([^/?#\s]+)/.exec(text);
    return decodeURIComponent(match ? match[1] : text).trim();
  }

  function show(element, visible) { element.classList.toggle("d-none", !visible); }

  function halt() {
    if (timer) { window.clearInterval(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    show(video, false); show(stop, false); show(start, true);
  }

  function scan() {
    detector.detect(video).then(function (found) {
      if (!found.length) { return; }
      var code = codeFrom(found[0].rawValue || "");
      if (!code) { return; }
      halt();
      form.elements.namedItem("code").value = code;
      form.submit();
    }).catch(function () { /* a frame that cannot be read yet: try the next one */ });
  }

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") < 0) { return; }
    detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    show(start, true);
  }).catch(function () { /* no QR support: the typed form stays */ });

  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        show(video, true); show(stop, true); show(start, false); show(status, false);
        return video.play();
      })
      .then(function () { timer = window.setInterval(scan, 300); })
      .catch(function () {
        halt();
        status.textContent = start.getAttribute("data-scan-error") || "";
        show(status, true);
      });
  });
  stop.addEventListener("click", halt);
})();
