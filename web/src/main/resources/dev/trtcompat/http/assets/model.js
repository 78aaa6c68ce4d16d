// trt-compat model page. While a large model's analysis is still running, the sections that show it are
// placeholders (section[data-analysing]): the page is fetched again every second and they are swapped for their
// finished copies. Then the live matrix: follows the model's server-sent events; on each cell change it fetches
// the compatibility section's fragment (and the quantization and FP16 lists) again and swaps it in; running cells' logs
// stream into their <pre> as text (textContent only, never markup). Without script the page still works: it
// reloads itself while analysing (<noscript> refresh), and a reload shows progress.
(function () {
  "use strict";

  var ids = document.querySelector("p.ids[data-model-id]");
  if (!ids || !window.fetch) {
    return;
  }
  var modelId = ids.getAttribute("data-model-id");
  var pageUrl = "/models/" + encodeURIComponent(modelId);

  function logs(root) {
    return (root || document).querySelectorAll("pre.cell-log[data-cell-id]");
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
    logs().forEach(function (pre) {
      if (pre.getAttribute("data-filled") === "true") {
        return;
      }
      pre.setAttribute("data-filled", "true");
      fetch(pre.getAttribute("data-log-url"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (text) {
          if (text && pre.textContent.length === 0) {
            pre.textContent = text;
          }
        })
        .catch(function () {});
    });
  }

  // What names a <details> across re-renders: its id, or the matrix cell (release/precision) it sits in.
  function detailsKey(d) {
    var cell = d.closest("td.cell");
    return d.id || (cell ? cell.parentNode.getAttribute("data-trt") + "/" + cell.getAttribute("data-precision") : null);
  }

  // Replaces the element with this id by its copy in a freshly fetched document, keeping what the reader had
  // open and the log text already streamed.
  function swap(doc, id) {
    var current = document.getElementById(id);
    var parsed = doc.getElementById(id);
    if (!current || !parsed || (parsed.hasAttribute("data-analysing") && current.hasAttribute("data-analysing"))) {
      return; // a placeholder for a placeholder: nothing to change
    }
    var open = [];
    current.querySelectorAll("details[open]").forEach(function (d) {
      var key = detailsKey(d);
      if (key) { open.push(key); }
    });
    var logText = {};
    logs(current).forEach(function (pre) {
      logText[pre.getAttribute("data-cell-id")] = pre.textContent;
    });
    var fresh = document.adoptNode(parsed);
    current.replaceWith(fresh);
    fresh.querySelectorAll("details").forEach(function (d) {
      var key = detailsKey(d);
      if (key && open.indexOf(key) >= 0) { d.open = true; }
    });
    logs(fresh).forEach(function (pre) {
      var kept = logText[pre.getAttribute("data-cell-id")];
      if (kept) {
        pre.textContent = kept;
        pre.setAttribute("data-filled", "true");
      }
    });
  }

  // The one re-render: fetch url, parse it as an inert document (scripts never run there), swap the elements
  // named by idsOf(); then(). One fetch per url at a time: a call meanwhile makes it run once more after.
  var state = {};
  function refresh(url, idsOf, then) {
    if (state[url]) {
      state[url] = "again";
      return;
    }
    state[url] = "busy";
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          idsOf().forEach(function (id) { swap(doc, id); });
          fillLogs();
        }
      })
      .catch(function () {})
      .then(function () {
        var again = state[url] === "again";
        delete state[url];
        if (again) {
          refresh(url, idsOf, then);
        } else if (then) {
          then();
        }
      });
  }

  function analysing() {
    var out = [];
    document.querySelectorAll("section[data-analysing]").forEach(function (s) { out.push(s.id); });
    return out;
  }

  var live = false;
  function followEvents() {
    var body = document.getElementById("matrix-body");
    if (live || !body || !window.EventSource) {
      return;
    }
    live = true;
    var gpu = body.getAttribute("data-gpu");
    // The re-render keeps the GPU the page was filtered for (?gpu=sm_89).
    var fragmentUrl = pageUrl + "/matrix" + (gpu ? "?gpu=" + encodeURIComponent(gpu) : "");
    // EventSource reconnects by itself after a dropped connection.
    var events = new EventSource("/api/v1/models/" + encodeURIComponent(modelId) + "/events");
    events.addEventListener("cell", function () {
      refresh(fragmentUrl, function () { return ["matrix-body"]; });
      // The quantization and FP16 lists (outside the matrix, so their forms keep what was typed): from a fresh page.
      var lists = ["quantize-body", "fp16-body"].filter(function (id) { return document.getElementById(id); });
      if (lists.length > 0) {
        refresh(pageUrl, function () { return lists; });
      }
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
  }

  // The page as asked for (same page of the graph, same search), until no section is analysing any more.
  function fillAnalysed() {
    if (analysing().length === 0) {
      followEvents();
      return;
    }
    setTimeout(function () {
      refresh(location.pathname + location.search, analysing, fillAnalysed);
    }, 1000);
  }

  fillLogs();
  fillAnalysed();
})();
