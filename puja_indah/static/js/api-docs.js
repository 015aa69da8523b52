// The interactive API page: Swagger UI (from the swagger-ui-bundle package, served by us)
// pointed at our generated OpenAPI document. A separate file so the CSP needs no inline script.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    // The signed-in browser may try reads with its own session; writes need a token.
    withCredentials: true,
    persistAuthorization: false,
    tryItOutEnabled: false,
  });
})();
