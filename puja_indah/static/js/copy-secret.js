// The new API token's Copy button: shown only where the browser offers the clipboard; without
// it (or without JavaScript) the page's hint says how to copy by hand.
(function () {
  "use strict";
  var button = document.querySelector("[data-copy-target]");
  if (!button || !navigator.clipboard) { return; }
  var input = document.getElementById(button.getAttribute("data-copy-target"));
  var done = document.querySelector("[data-copy-done]");
  if (!input) { return; }
  button.hidden = false;
  input.addEventListener("focus", function () { input.select(); });
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(input.value).then(function () {
      if (done) { done.hidden = false; }
    }, function () { input.select(); });
  });
})();
