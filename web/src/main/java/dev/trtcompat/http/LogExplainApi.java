package dev.trtcompat.http;

import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.trtexec.LogExplainer;
import dev.trtcompat.trtexec.ModelNodeMatch;
import dev.trtcompat.trtexec.TrtexecLog;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** Explains a trtexec log someone ran themselves; needs neither Docker nor a job. */
final class LogExplainApi {

  private final ModelStore models;

  LogExplainApi(ModelStore models) {
    this.models = models;
  }

  /** {@code POST /api/v1/logs/explain[?model=ID]}: what a trtexec log says, the failing node mapped to the model. */
  void explain(Context ctx) throws IOException {
    TrtexecLog log;
    try (InputStream in = ctx.bodyInputStream()) {
      log = LogExplainer.explain(in);
    }
    ModelNodeMatch match = null;
    String modelId = ctx.queryParam("model");
    if (modelId != null) {
      StoredModel model = models.find(modelId).orElseThrow(() -> ModelApi.notFound(modelId));
      if (log.failingNode() != null) {
        Path file = models.modelFile(model.id()).orElseThrow(() -> ModelApi.notFound(modelId));
        match = ModelNodeMatch.of(log.failingNode(), OnnxModelReader.read(file), log.tensorrtVersion());
      }
    }
    Responses.json(ctx, 200, LogExplainer.toJsonTree(log, match));
  }
}
