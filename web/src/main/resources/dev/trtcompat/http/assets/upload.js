// Upload page: drag and drop, a size check before sending, and a progress bar fed by XHR upload events.
// Without this script the form still posts to /models and the server redirects to the model page.
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
})();
