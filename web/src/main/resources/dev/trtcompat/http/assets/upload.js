// Upload page: drag and drop, a size check before sending, and a progress bar fed by XHR upload events.
// Without this script the form still posts to /models and the server redirects to the model page.
// Uploads of data-chunked-from bytes and more (256 MiB) go through the resumable API (/api/v1/uploads) in chunks of
// data-chunk bytes (64 MiB): a chunk that fails is sent again from where the server says the file stands, so a
// broken connection costs one chunk. Both are read from the form when it is sent (the browser test lowers them).
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  var modelInput = document.getElementById("model-input");
  var externalInput = document.getElementById("external-input");
  var zone = document.getElementById("drop-zone");
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var button = document.getElementById("upload-button");
  var maxBytes = Number(form.getAttribute("data-max-upload"));
  var api = form.getAttribute("data-api");
  var dropped = null; // {model: File, externals: [File]} when files came by drag and drop
  function bytesAttr(name, otherwise) {
    var n = Number(form.getAttribute(name));
    return n > 0 ? n : otherwise;
  }
  var RETRIES = 5;

  function say(text, isError) {
    status.textContent = text; // textContent: server-supplied text is never parsed as HTML
    status.className = isError ? "error" : "";
  }

  function human(n) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"];
    var u = 0;
    while (n >= 1024 && u < units.length - 1) { n /= 1024; u++; }
    return (u === 0 ? n : n.toFixed(1)) + " " + units[u];
  }

  function chosenFiles() {
    if (dropped) { return dropped; }
    return {
      model: modelInput.files.length ? modelInput.files[0] : null,
      externals: Array.prototype.slice.call(externalInput.files)
    };
  }

  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    var files = Array.prototype.slice.call(e.dataTransfer.files);
    var models = files.filter(function (f) { return /\.onnx$/i.test(f.name); });
    if (models.length !== 1) {
      say("Drop exactly one .onnx file (plus its external-data files, if any).", true);
      return;
    }
    dropped = { model: models[0], externals: files.filter(function (f) { return f !== models[0]; }) };
    modelInput.required = false;
    var extra = dropped.externals.length ? " with " + dropped.externals.length + " external-data file(s)" : "";
    say("Ready: " + dropped.model.name + extra + ". Press Upload.", false);
  });
  modelInput.addEventListener("change", function () { dropped = null; modelInput.required = true; say("", false); });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var files = chosenFiles();
    if (!files.model) { say("Choose or drop an .onnx file first.", true); return; }
    var total = files.model.size + files.externals.reduce(function (s, f) { return s + f.size; }, 0);
    if (total > maxBytes) {
      say("These files are " + human(total) + "; this server accepts up to " + human(maxBytes) + ".", true);
      return;
    }
    if (total >= bytesAttr("data-chunked-from", 256 * 1024 * 1024)) {
      button.disabled = true;
      bar.hidden = false;
      bar.max = total;
      bar.value = 0;
      chunked(files, total);
      return;
    }
    var data = new FormData();
    data.append("model", files.model, files.model.name);
    files.externals.forEach(function (f) { data.append("external", f, f.name); });
    // The job choices travel with the upload: the server starts the job once the model is stored.
    form.querySelectorAll("input[name=trt]:checked, input[name=precision]:checked").forEach(function (box) {
      data.append(box.name, box.value);
    });
    form.querySelectorAll("input[name=shapes], input[name=timeout], input[name=label]").forEach(function (field) {
      if (field.value.trim() !== "") {
        data.append(field.name, field.value.trim());
      }
    });
    form.querySelectorAll("input[name=reference]").forEach(function (box) {
      if (box.type === "hidden" || box.checked) {
        data.append("reference", box.value);
      }
    });

    var xhr = new XMLHttpRequest();
    xhr.open("POST", api);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = function (ev) {
      if (ev.lengthComputable) {
        bar.max = ev.total;
        bar.value = ev.loaded;
        say("Uploading… " + human(ev.loaded) + " of " + human(ev.total), false);
      }
    };
    xhr.upload.onload = function () { say("Reading the model…", false); };
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = null; }
      if ((xhr.status === 200 || xhr.status === 201) && body && body.id) {
        window.location.assign("/models/" + encodeURIComponent(body.id));
        return;
      }
      button.disabled = false;
      bar.hidden = true;
      say(body && body.detail ? body.detail : "Upload failed (HTTP " + xhr.status + ").", true);
    };
    xhr.onerror = function () {
      button.disabled = false;
      bar.hidden = true;
      say("The upload was cut off (connection lost, or refused by the server).", true);
    };
    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    say("Uploading…", false);
    xhr.send(data);
  });
  // ---- the resumable path

  // One JSON request; resolves with {status, body, headers} whatever the status, rejects on a network failure.
  function request(method, url, body, headers) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("Accept", "application/json");
      Object.keys(headers || {}).forEach(function (h) { xhr.setRequestHeader(h, headers[h]); });
      if (request.progress) { xhr.upload.onprogress = request.progress; }
      xhr.onload = function () {
        var parsed = null;
        try { parsed = JSON.parse(xhr.responseText); } catch (ignored) { parsed = null; }
        resolve({ status: xhr.status, body: parsed, offset: xhr.getResponseHeader("Upload-Offset") });
      };
      xhr.onerror = function () { reject(new Error("connection lost")); };
      xhr.send(body);
    });
  }

  function failed(text) {
    button.disabled = false;
    bar.hidden = true;
    say(text, true);
  }

  function detail(r, what) {
    return r.body && r.body.detail ? r.body.detail : what + " failed (HTTP " + r.status + ").";
  }

  function chunked(files, total) {
    var chunk = bytesAttr("data-chunk", 64 * 1024 * 1024);
    var all = [files.model].concat(files.externals);
    var declaration = {
      model: { name: files.model.name, size: files.model.size },
      external: files.externals.map(function (f) { return { name: f.name, size: f.size }; })
    };
    var done = 0; // bytes of the files before the current one
    say("Starting a resumable upload of " + human(total) + "…", false);
    request("POST", api.replace(/models$/, "uploads"), JSON.stringify(declaration), { "Content-Type": "application/json" })
      .then(function (r) {
        if (r.status !== 201) { throw new Error(detail(r, "Starting the upload")); }
        var upload = r.body;
        var i = 0;
        function nextFile() {
          if (i === all.length) { return upload; }
          var file = all[i];
          var url = upload.files[i].url;
          return sendFile(file, url, upload.files[i].received).then(function () { done += file.size; i++; return nextFile(); });
        }
        function sendFile(file, url, from) {
          if (from >= file.size) { return Promise.resolve(); }
          var end = Math.min(from + chunk, file.size);
          return sendChunk(file, url, from, end, 0).then(function (next) { return sendFile(file, url, next); });
        }
        function sendChunk(file, url, from, end, attempt) {
          request.progress = function (ev) {
            bar.value = done + from + ev.loaded;
            say("Uploading " + file.name + "… " + human(done + from + ev.loaded) + " of " + human(total), false);
          };
          return request("PUT", url, file.slice(from, end), { "Content-Range": "bytes " + from + "-" + (end - 1) + "/" + file.size })
            .then(function (r) {
              if (r.status === 200) { return Number(r.offset); }
              if (r.status === 409 && r.offset !== null) { return Number(r.offset); } // the server says where to go on
              throw new Error(detail(r, "Sending " + file.name));
            }, function () {
              if (attempt >= RETRIES) { throw new Error("The connection keeps failing; the upload can be resumed later."); }
              say("Connection lost; asking the server where " + file.name + " stands…", false);
              return new Promise(function (wait) { setTimeout(wait, 1000 * (attempt + 1)); })
                .then(function () { return request("GET", upload.url); })
                .then(function (s) {
                  if (s.status !== 200) { throw new Error(detail(s, "Resuming")); }
                  var received = s.body.files[i].received;
                  return received >= end ? received : sendChunk(file, url, received, end, attempt + 1);
                });
            });
        }
        return nextFile();
      })
      .then(function (upload) {
        request.progress = null;
        say("Reading the model…", false);
        return request("POST", upload.completeUrl, null);
      })
      .then(function (r) {
        if ((r.status !== 200 && r.status !== 201) || !r.body || !r.body.id) { throw new Error(detail(r, "Completing the upload")); }
        return startJob(r.body.id).then(function () { window.location.assign("/models/" + encodeURIComponent(r.body.id)); });
      })
      .catch(function (err) { failed(err.message); });
  }

  // The job and label choices of a chunked upload go to the page's own forms once the model is stored.
  function startJob(id) {
    var steps = [];
    var label = form.querySelector("input[name=label]");
    if (label && label.value.trim() !== "") {
      steps.push(post("/models/" + encodeURIComponent(id) + "/label", new URLSearchParams({ label: label.value.trim() })));
    }
    var job = new URLSearchParams();
    form.querySelectorAll("input[name=trt]:checked, input[name=precision]:checked").forEach(function (box) {
      job.append(box.name, box.value);
    });
    if (job.has("trt")) {
      form.querySelectorAll("input[name=shapes], input[name=timeout]").forEach(function (field) {
        if (field.value.trim() !== "") { job.append(field.name, field.value.trim()); }
      });
      form.querySelectorAll("input[name=reference]").forEach(function (box) {
        if (box.type === "hidden" || box.checked) { job.append("reference", box.value); }
      });
      steps.push(post("/models/" + encodeURIComponent(id) + "/jobs", job));
    }
    return Promise.all(steps);
  }

  function post(url, params) {
    return request("POST", url, params.toString(), { "Content-Type": "application/x-www-form-urlencoded" });
  }
})();
