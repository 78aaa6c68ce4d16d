// trt-compat model page: live matrix. Follows the model's server-sent events; on each cell change it fetches
// the compatibility section's fragment again and swaps it in; running cells' logs stream into their <pre> as
// text (textContent only, never markup). Without script the page still works: reload to see progress.
(function () {
  "use strict";

  var body = document.getElementById("matrix-body");
  if (!body || !window.EventSource || !window.fetch) {
    return;
  }
  var modelId = body.getAttribute("data-model-id");
  var gpu = body.getAttribute("data-gpu");
  // The re-render keeps the GPU the page was filtered for (?gpu=sm_89).
  var fragmentUrl = "/models/" + encodeURIComponent(modelId) + "/matrix" + (gpu ? "?gpu=" + encodeURIComponent(gpu) : "");
  var fetching = false;
  var again = false;

  function logs() {
    return document.querySelectorAll("pre.cell-log[data-cell-id]");
  }

  function findLog(cellId) {
    var all = logs();
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute("data-cell-id") === String(cellId)) {
        return all[i];
      }
    }
    return null;
  }

  // A running cell's log as written so far, once per <pre> (later lines arrive as events).
  function fillLogs() {
    var all = logs();
    for (var i = 0; i < all.length; i++) {
      var pre = all[i];
      if (pre.getAttribute("data-filled") === "true") {
        continue;
      }
      pre.setAttribute("data-filled", "true");
      (function (target) {
        fetch(target.getAttribute("data-log-url"), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.text() : ""; })
          .then(function (text) {
            if (text && target.textContent.length === 0) {
              target.textContent = text;
            }
          })
          .catch(function () {});
      })(pre);
    }
  }

  // Swap in a fresh fragment, keeping what the reader had open and the log text already streamed.
  function rerender() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    fetch(fragmentUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var current = document.getElementById("matrix-body");
        if (html === null || !current) {
          return;
        }
        var openIds = [];
        current.querySelectorAll("details[open]").forEach(function (d) {
          var cell = d.closest("td.cell");
          var key = d.id || (cell ? cell.parentNode.getAttribute("data-trt") + "/" + cell.getAttribute("data-precision") : null);
          if (key) { openIds.push(key); }
        });
        var logText = {};
        logs().forEach(function (pre) {
          logText[pre.getAttribute("data-cell-id")] = pre.textContent;
        });
        // Parsed as an inert document (scripts never run there), then adopted into the page.
        var parsed = new DOMParser().parseFromString(html, "text/html").getElementById("matrix-body");
        if (!parsed) {
          return;
        }
        var fresh = document.adoptNode(parsed);
        current.replaceWith(fresh);
        fresh.querySelectorAll("details").forEach(function (d) {
          var cell = d.closest("td.cell");
          var key = d.id || (cell ? cell.parentNode.getAttribute("data-trt") + "/" + cell.getAttribute("data-precision") : null);
          if (key && openIds.indexOf(key) >= 0) { d.open = true; }
        });
        logs().forEach(function (pre) {
          var kept = logText[pre.getAttribute("data-cell-id")];
          if (kept) {
            pre.textContent = kept;
            pre.setAttribute("data-filled", "true");
          }
        });
        fillLogs();
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

  // The quantization section (outside the matrix, so its form keeps what was typed) shows each quantization's
  // state; its list is swapped from a fresh copy of the page, keeping the progress text already streamed.
  var quantizeFetching = false;
  var quantizeAgain = false;
  function rerenderQuantizations() {
    if (!document.getElementById("quantize-body")) {
      return;
    }
    if (quantizeFetching) {
      quantizeAgain = true;
      return;
    }
    quantizeFetching = true;
    fetch("/models/" + encodeURIComponent(modelId), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var now = document.getElementById("quantize-body");
        var parsed = html === null ? null : new DOMParser().parseFromString(html, "text/html").getElementById("quantize-body");
        if (!now || !parsed) {
          return;
        }
        var logText = {};
        now.querySelectorAll("pre.cell-log[data-cell-id]").forEach(function (pre) {
          logText[pre.getAttribute("data-cell-id")] = pre.textContent;
        });
        var fresh = document.adoptNode(parsed);
        now.replaceWith(fresh);
        fresh.querySelectorAll("pre.cell-log[data-cell-id]").forEach(function (pre) {
          var kept = logText[pre.getAttribute("data-cell-id")];
          if (kept) {
            pre.textContent = kept;
            pre.setAttribute("data-filled", "true");
          }
        });
        fillLogs();
      })
      .catch(function () {})
      .then(function () {
        quantizeFetching = false;
        if (quantizeAgain) {
          quantizeAgain = false;
          rerenderQuantizations();
        }
      });
  }

  fillLogs();
  // EventSource reconnects by itself after a dropped connection.
  var events = new EventSource("/api/v1/models/" + encodeURIComponent(modelId) + "/events");
  events.addEventListener("cell", function () {
    rerender();
    rerenderQuantizations();
  });
  events.addEventListener("log", function (e) {
    var data;
    try {
      data = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    var pre = findLog(data.cellId);
    if (pre) {
      pre.textContent += data.line + "\n";
      pre.scrollTop = pre.scrollHeight;
    }
  });
})();
