package dev.trtcompat.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HtmlTest {

  @Test
  void escapesTheFiveSpecialCharacters() {
    assertThat(Html.escape("<a href=\"x\" title='y'>&</a>"))
        .isEqualTo("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    assertThat(Html.escape(null)).isEmpty();
  }

  @Test
  void textAndAttributeValuesAreEscapedTagNamesAreChecked() {
    String html = new Html().open("td", "title", "\"><script>").text("<b>").close("td").toString();

    assertThat(html).isEqualTo("<td title=\"&quot;&gt;&lt;script&gt;\">&lt;b&gt;</td>");
    assertThatThrownBy(() -> new Html().open("td onclick=alert(1)")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Html().open("td", "on click", "x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void booleanAttributesHaveNoValue() {
    assertThat(new Html().empty("input", "type", "file", "required", null).toString()).isEqualTo("<input type=\"file\" required>");
  }
}
