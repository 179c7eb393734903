// Starts Swagger UI on /api/docs (a file, not an inline script, so the Content-Security-Policy holds).
(function () {
  "use strict";
  window.addEventListener("load", function () {
    window.ui = window.SwaggerUIBundle({
      url: document.body.getAttribute("data-openapi"),
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: null,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout"
    });
  });
}());
