// trt-compat compare page: live table. Follows one event stream for all compared models; on each cell change it
// fetches the page's live part again (/compare/body with the same query) and swaps div#compare-body. Without
// script the page is complete; reload to see progress.
(function () {
  "use strict";
  var body = document.getElementById("compare-body");
  if (!body || !window.EventSource || !window.fetch) {
    return;
  }
  var query = body.getAttribute("data-query");
  var fetching = false;
  var again = false;

  function rerender() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    fetch("/compare/body?" + query, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var current = document.getElementById("compare-body");
        if (html === null || !current) {
          return;
        }
        // Parsed as an inert document (scripts never run there), then adopted into the page.
        var parsed = new DOMParser().parseFromString(html, "text/html").getElementById("compare-body");
        if (parsed) {
          current.replaceWith(document.adoptNode(parsed));
        }
      })
      .catch(function () {})
      .then(function () {
        fetching = false;
        if (again) {
          again = false;
          rerender();
        }
      });
  }

  // EventSource reconnects by itself after a dropped connection.
  var events = new EventSource("/api/v1/compare/events?models=" + encodeURIComponent(body.getAttribute("data-models")));
  events.addEventListener("cell", function () {
    rerender();
  });
})();
