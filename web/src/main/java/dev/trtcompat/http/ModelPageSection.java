package dev.trtcompat.http;

import dev.trtcompat.html.Html;
import dev.trtcompat.models.StoredModel;

/**
 * One section of the model page ({@code GET /models/{id}}). The page is a list of these, so later
 * features (the compatibility matrix, conversion runs) add a section without touching the others.
 */
public interface ModelPageSection {

  /** The fragment id ({@code #id}) and a stable name for tests; lowercase letters and dashes. */
  String id();

  String title();

  /** Writes the section's content (the page writes the {@code <section>} and heading around it). */
  void render(Html html, StoredModel model);

  /** Writes the content for a page request with query parameters; sections that take none ignore them. */
  default void render(Html html, StoredModel model, java.util.Map<String, java.util.List<String>> query) {
    render(html, model);
  }

  /**
   * Whether the section shows the model's analysis (the static check, the graph listing). While a large model's
   * analysis is still being computed the page shows a placeholder in its place and fills it in when it is done.
   */
  default boolean needsAnalysis() {
    return false;
  }

  /** This section, marked as showing the model's analysis ({@link #needsAnalysis}). */
  default ModelPageSection showingAnalysis() {
    ModelPageSection self = this;
    return new ModelPageSection() {
      @Override
      public String id() {
        return self.id();
      }

      @Override
      public String title() {
        return self.title();
      }

      @Override
      public void render(Html html, StoredModel model) {
        self.render(html, model);
      }

      @Override
      public void render(Html html, StoredModel model, java.util.Map<String, java.util.List<String>> query) {
        self.render(html, model, query);
      }

      @Override
      public boolean needsAnalysis() {
        return true;
      }
    };
  }

  /** Writes one section's content, given the page's query parameters. */
  interface QueryBody {
    void render(Html html, StoredModel model, java.util.Map<String, java.util.List<String>> query);
  }

  /** A section whose content depends on the page's query parameters. */
  static ModelPageSection withQuery(String id, String title, QueryBody body) {
    return new ModelPageSection() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public String title() {
        return title;
      }

      @Override
      public void render(Html html, StoredModel model) {
        body.render(html, model, java.util.Map.of());
      }

      @Override
      public void render(Html html, StoredModel model, java.util.Map<String, java.util.List<String>> query) {
        body.render(html, model, query);
      }
    };
  }

  /** Writes one section's content. */
  interface Body {
    void render(Html html, StoredModel model);
  }

  /** A section from its id, title and content writer. */
  static ModelPageSection of(String id, String title, Body body) {
    return new ModelPageSection() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public String title() {
        return title;
      }

      @Override
      public void render(Html html, StoredModel model) {
        body.render(html, model);
      }
    };
  }
}
