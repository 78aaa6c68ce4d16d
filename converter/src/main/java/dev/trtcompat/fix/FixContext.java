package dev.trtcompat.fix;

import dev.trtcompat.reference.InputShapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What passes may consult besides the graph: the input shapes the user fixed, the operators a target release
 * lacks (from the checker's findings on the original), and a place for notes the report shows.
 */
final class FixContext {

  final InputShapes shapes;
  final Set<String> unsupportedOps;
  final List<String> notes = new ArrayList<>();

  FixContext(InputShapes shapes, Set<String> unsupportedOps) {
    this.shapes = shapes == null ? InputShapes.NONE : shapes;
    this.unsupportedOps = Set.copyOf(unsupportedOps);
  }

  void note(String pass, String text) {
    String line = pass + ": " + text;
    if (!notes.contains(line)) {
      notes.add(line);
    }
  }
}
