package dev.trtcompat.http;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.fix.FixPipeline;
import dev.trtcompat.fix.FixReport;
import dev.trtcompat.html.Html;
import dev.trtcompat.http.FixRuns.FixOutcome;
import dev.trtcompat.http.FixRuns.FixRecord;
import dev.trtcompat.jobs.Cell;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StagedUpload;
import dev.trtcompat.models.StoredFile;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.rules.ReleaseRules;
import dev.trtcompat.service.FixSpec;
import dev.trtcompat.service.JobService;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Function;

/**
 * "Make it convert": starting a fix job for a stored model (API and the model page's form), the fixed model's
 * report and download, and the model page's section showing both (how this model was made, if fix made it; the
 * form; the fixes made from it).
 */
final class FixRoutes {

  static final String SECTION = "fix";

  private final ModelStore store;
  private final JobService jobs;
  private final FixRuns runs;
  private final List<String> releases;
  private final Function<Context, String> clientId;
  private final long maxUploadBytes;

  FixRoutes(ModelStore store, JobService jobs, FixRuns runs, List<ReleaseRules> releases,
      Function<Context, String> clientId, long maxUploadBytes) {
    this.maxUploadBytes = maxUploadBytes;
    this.store = store;
    this.jobs = jobs;
    this.runs = runs;
    this.releases = releases.stream().map(ReleaseRules::release).toList();
    this.clientId = clientId;
  }

  // ---- starting

  /** {@code POST /api/v1/models/{id}/fix}: 202 with the fix job; 400 with the reason for bad input. */
  void start(Context ctx) throws IOException {
    StoredModel model = model(ctx.pathParam("id"));
    Job job;
    if (FixInputsUpload.isMultipart(ctx.req())) {
      job = submitMultipart(ctx, model);
    } else {
      FixSpec.Request request = JsonBodies.read(ctx, FixSpec.Request.class, () -> new FixSpec.Request(null, null, null));
      job = submit(ctx, model, request.toSpec());
    }
    ctx.header("Location", WebServer.API + "/jobs/" + job.id());
    Responses.json(ctx, 202, JobViews.of(job, sha -> false));
  }

  /** {@code POST /models/{id}/fix}: the page's form; back to the section, where the job shows. */
  void startForm(Context ctx) throws IOException {
    StoredModel model = model(ctx.pathParam("id"));
    if (FixInputsUpload.isMultipart(ctx.req())) {
      submitMultipart(ctx, model);
    } else {
      submit(ctx, model, FixSpec.fromForm(ctx.formParams("trt"), ctx.formParam("shapes"), ctx.formParams("passes"),
          ctx.formParam("int64io") != null));
    }
    ctx.redirect("/models/" + model.id() + "#" + SECTION, HttpStatus.SEE_OTHER);
  }

  /**
   * The form's fields with optional {@code inputs} files for the proof: kept under the source model with the job
   * (a restart loses nothing), checked against the model's inputs first; a refused request leaves no file.
   */
  private Job submitMultipart(Context ctx, StoredModel model) throws IOException {
    String upload = UUID.randomUUID().toString();
    Path dir = runs.inputsDir(model.id(), upload);
    try {
      FixInputsUpload.Received r = FixInputsUpload.receive(ctx.req(), dir, maxUploadBytes);
      FixSpec spec = FixSpec.fromForm(r.values("trt"), String.join(",", r.values("shapes")), r.values("passes"),
          !r.values("int64io").isEmpty());
      if (!r.files().isEmpty()) {
        spec = spec.withInputs(new FixSpec.ProofInputs(upload, r.files()));
      }
      return submit(ctx, model, spec);
    } catch (IOException | RuntimeException e) {
      StagedUpload.deleteTree(dir);
      throw e;
    }
  }

  private Job submit(Context ctx, StoredModel model, FixSpec spec) throws IOException {
    runs.validate(model, spec);
    return jobs.submitFix(model.id(), model.fileName(), model.bytes(), spec, clientId.apply(ctx));
  }

  // ---- the fixed model

  /** {@code GET /api/v1/models/{id}/fix-report}: how fix made this model; 404 for a model fix did not make. */
  void report(Context ctx) throws IOException {
    StoredModel model = model(ctx.pathParam("id"));
    FixRecord record = runs.record(model.id()).orElseThrow(() -> new UserFacingException(Kind.NOT_FOUND,
        "not_a_fixed_model", "model " + model.id() + " was uploaded, not made by fix; its fixes are the fix jobs "
            + "listed by GET " + WebServer.API + "/models/{id}/jobs"));
    Responses.json(ctx, 200, record);
  }

  // ---- the page section

  ModelPageSection section() {
    return ModelPageSection.of(SECTION, "Make it convert", (h, m) -> {
      try {
        render(h, m);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private void render(Html h, StoredModel m) throws IOException {
    var record = runs.record(m.id());
    if (record.isPresent()) {
      renderReport(h, m, record.get());
    }
    renderForm(h, m);
    renderFixes(h, m);
  }

  private static void renderReport(Html h, StoredModel m, FixRecord rec) {
    FixReport r = rec.report();
    h.open("div", "id", "fix-report", "data-status", r.status(), "data-proven", Boolean.toString(r.proven()));
    h.open("p", "class", "fix-origin").text("Made by fix from ");
    h.element("a", rec.sourceFileName(), "id", "fix-source", "href", "/models/" + rec.sourceId());
    h.text(" (job " + rec.jobId() + ", " + rec.createdAt() + "). Passes applied: "
        + (r.passesApplied().isEmpty() ? "none" : String.join(", ", r.passesApplied())) + ".");
    h.close("p");
    h.open("p", "class", r.proven() ? "fix-proof proven" : "fix-proof unproven", "id", "fix-proof");
    if (r.proven()) {
      h.text("Proven: ONNX Runtime gives the same outputs for the original and this model (" + tolerance(r) + ").");
      h.text(rec.request().inputs() == null ? " Proved on seeded random inputs." : " Proved on your inputs.");
    } else {
      h.open("strong").text("Unproven: ").close("strong")
          .text(r.unprovenReason() == null ? "ONNX Runtime could not compare the outputs." : r.unprovenReason());
    }
    h.close("p");
    h.element("p", "Proof inputs: " + rec.request().inputsDescription() + ".", "id", "fix-proof-inputs",
        "data-given", Boolean.toString(rec.request().inputs() != null));
    h.open("p");
    if (m.externalFiles().isEmpty()) {
      h.element("a", "Download " + m.fileName(), "id", "fixed-download", "class", "button",
          "href", WebServer.API + "/models/" + m.id() + "/file");
    } else {
      // Over 2 GiB (or fixed from a model with external data) the weights are a file of their own beside the model.
      String files = WebServer.API + "/models/" + m.id() + "/files/";
      h.element("a", "Download " + m.fileName(), "id", "fixed-download", "class", "button",
          "href", files + StagedUpload.MODEL_FILE);
      for (StoredFile f : m.externalFiles()) {
        h.text(" with its weights ").element("a", f.name(), "class", "fixed-external", "href", files + f.name());
      }
    }
    h.text(" · ").element("a", "report as JSON", "href", WebServer.API + "/models/" + m.id() + "/fix-report").close("p");
    if (!r.summary().isEmpty()) {
      h.open("ul", "class", "verdict-changes");
      r.summary().forEach(s -> h.element("li", s));
      h.close("ul");
    }
    h.open("table", "class", "data", "id", "fix-releases");
    h.open("thead").open("tr").element("th", "TensorRT").element("th", "before").element("th", "after")
        .element("th", "still blocking").close("tr").close("thead").open("tbody");
    for (FixReport.ReleaseChange c : r.releases()) {
      h.open("tr", "data-trt", c.tensorrt(), "data-before", c.before(), "data-after", c.after());
      h.element("td", c.tensorrt()).element("td", c.before()).element("td", c.after());
      h.open("td");
      if (c.remaining().isEmpty()) {
        h.text("nothing");
      } else {
        h.open("ul");
        c.remaining().forEach(x -> h.element("li", x));
        h.close("ul");
      }
      h.close("td").close("tr");
    }
    h.close("tbody").close("table");
    h.open("table", "class", "data", "id", "fix-passes");
    h.open("thead").open("tr").element("th", "pass").element("th", "changed the model")
        .element("th", "findings removed").close("tr").close("thead").open("tbody");
    for (FixReport.PassResult p : r.passes()) {
      h.open("tr", "data-pass", p.name(), "data-applied", Boolean.toString(p.applied()));
      h.open("td").element("code", p.name()).text(" " + p.reason()).close("td");
      h.element("td", p.applied() ? "yes" : "no");
      h.open("td");
      if (p.findingsRemoved().isEmpty()) {
        h.text("none");
      } else {
        h.open("ul");
        p.findingsRemoved().forEach(x -> h.element("li", x));
        h.close("ul");
      }
      h.close("td").close("tr");
    }
    h.close("tbody").close("table");
    if (r.equivalence() != null) {
      h.open("table", "class", "data", "id", "fix-equivalence");
      h.open("thead").open("tr").element("th", "output").element("th", "max abs error")
          .element("th", "max rel error").element("th", "within tolerance").close("tr").close("thead").open("tbody");
      for (FixReport.OutputError o : r.equivalence().outputs()) {
        h.open("tr", "data-output", o.name(), "data-passed", Boolean.toString(o.passed()));
        h.element("td", o.name()).element("td", String.format(Locale.ROOT, "%.3g", o.maxAbsError()))
            .element("td", String.format(Locale.ROOT, "%.3g", o.maxRelError()))
            .element("td", o.passed() ? "yes" : "no: " + o.problem());
        h.close("tr");
      }
      h.close("tbody").close("table");
      List<String> notes = new ArrayList<>(r.equivalence().inputs());
      notes.addAll(r.equivalence().notes());
      notes.addAll(r.notes());
      if (!notes.isEmpty()) {
        h.open("ul", "class", "hint");
        notes.forEach(n -> h.element("li", n));
        h.close("ul");
      }
    }
    h.close("div");
  }

  private static String tolerance(FixReport r) {
    return r.equivalence() == null ? "no figures" : r.equivalence().tolerance();
  }

  private void renderForm(Html h, StoredModel m) {
    h.open("form", "id", "fix-form", "method", "post", "action", "/models/" + m.id() + "/fix",
        "enctype", "multipart/form-data");
    h.open("fieldset", "class", "fix-fields");
    h.element("legend", "Rewrite this model for TensorRT releases and prove it computes the same");
    h.element("p", "Target releases (none ticked: every release):", "class", "hint");
    h.open("div", "class", "choices releases");
    for (String release : releases) {
      h.open("label", "class", "choice");
      h.empty("input", "type", "checkbox", "name", "trt", "value", release);
      h.text(" " + release).close("label");
    }
    h.close("div");
    h.element("p", "Passes (none ticked: every pass; int64-io only with its own switch below):", "class", "hint");
    h.open("div", "class", "choices passes");
    for (String pass : FixPipeline.knownNames()) {
      if (FixPipeline.OPT_IN.contains(pass)) {
        continue; // its own switch below: it changes the model's interface, so it is never implied
      }
      h.open("label", "class", "choice");
      h.empty("input", "type", "checkbox", "name", "passes", "value", pass);
      h.text(" " + pass).close("label");
    }
    h.close("div");
    h.open("label", "class", "choice");
    h.empty("input", "type", "checkbox", "name", "int64io", "value", "on", "id", "fix-int64io");
    h.text(" also make INT64 graph inputs and outputs INT32 (int64-io; the fixed model then takes and gives INT32)")
        .close("label");
    h.open("label", "class", "field").text("Fixed shapes for dynamic inputs ");
    h.empty("input", "type", "text", "name", "shapes", "maxlength", "2000", "placeholder", "x:1x3x224x224, y:1x8");
    h.close("label");
    h.open("label", "class", "field").text("Inputs for the proof (optional: NAME.npy per input, or an .npz) ");
    h.empty("input", "type", "file", "name", FixInputsUpload.INPUTS_FIELD, "multiple", "multiple",
        "accept", ".npy,.npz");
    h.close("label");
    h.element("p", "Without files, ONNX Runtime compares the outputs on seeded random inputs.", "class", "hint");
    h.element("p", "The fixed model is kept as a model of its own, with its own page, only when ONNX Runtime "
        + "shows its outputs equal the original's (or cannot run the original: then it is labelled unproven).",
        "class", "hint");
    h.close("fieldset");
    h.element("button", "Make it convert", "type", "submit", "id", "fix-submit");
    h.close("form");
  }

  private void renderFixes(Html h, StoredModel m) {
    List<Job> fixes = jobs.fixJobs(m.id());
    if (fixes.isEmpty()) {
      return;
    }
    h.open("table", "class", "data", "id", "fixes");
    h.open("thead").open("tr").element("th", "job").element("th", "state").element("th", "result")
        .close("tr").close("thead").open("tbody");
    for (Job j : fixes) {
      Cell c = j.cells().get(0);
      String state = c.state().name().toLowerCase(Locale.ROOT);
      h.open("tr", "data-job", Long.toString(j.id()), "data-state", state);
      h.element("td", j.id() + " (" + j.createdAt() + ")").element("td", state);
      h.open("td");
      FixOutcome o = FixRuns.outcome(c.resultJson());
      if (o != null && o.fixedModelId() != null) {
        h.element("a", "fixed model" + (o.proven() ? " (proven)" : " (unproven)"), "class", "fixed-model",
            "href", "/models/" + o.fixedModelId());
        o.summary().forEach(s -> h.element("div", s, "class", "verdict-change"));
      } else if (c.reason() != null) {
        h.text(c.reason());
      }
      h.text(" ").element("a", "log", "href", WebServer.API + "/cells/" + c.id() + "/log");
      h.close("td").close("tr");
    }
    h.close("tbody").close("table");
  }

  private StoredModel model(String id) throws IOException {
    return store.find(id).orElseThrow(() -> ModelApi.notFound(id));
  }
}
