package dev.trtcompat.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import org.junit.jupiter.api.Test;

class InputShapesTest {

  @Test
  void parsesTrtexecSpelling() {
    InputShapes s = InputShapes.parse("images:1x3x224x224, 'in:0':2x5,scale:scalar");
    assertThat(s.shapeOf("images")).hasValueSatisfying(v -> assertThat(v).containsExactly(1, 3, 224, 224));
    assertThat(s.shapeOf("in:0")).hasValueSatisfying(v -> assertThat(v).containsExactly(2, 5));
    assertThat(s.shapeOf("scale")).hasValueSatisfying(v -> assertThat(v).isEmpty());
    assertThat(s.format()).isEqualTo("images:1x3x224x224,'in:0':2x5,scale:scalar");
  }

  @Test
  void rejectsMalformedSpecs() {
    for (String bad : new String[] {"images", "images:1x0", "images:1xa", "a:1,a:2", ":1x2"}) {
      assertThatThrownBy(() -> InputShapes.parse(bad))
          .as(bad)
          .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.kind()).isEqualTo(UserFacingException.Kind.BAD_REQUEST));
    }
  }
}
