package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Einsum for the common equations, as Transpose and MatMul: one operand permuted ({@code ij->ji}), and two operands
 * with exactly one summed letter and at most one free letter each, the other output letters batch letters
 * ({@code ij,jk->ik}, {@code bij,bjk->bik}, {@code ij,bjk->bik}, {@code bhqd,bhkd->bhqk}). Each operand is transposed
 * to {@code [batch..., rows, summed]} / {@code [batch..., summed, cols]}, MatMul broadcasts the batch letters as
 * Einsum does, and a last Transpose puts the result in the output's order. Ellipses, repeated letters (diagonals),
 * letters summed out of one operand, and more than one summed or free letter per operand leave the node as it is.
 */
final class EinsumPass extends Decomposition {

  private static final Pattern TERM = Pattern.compile("[a-zA-Z]*");

  @Override
  String op() {
    return "Einsum";
  }

  @Override
  public String reason() {
    return "Einsum has an importer only from TensorRT 8.2; Transpose and MatMul exist in every release";
  }

  @Override
  List<NodeProto> expand(NodeProto n, FixGraph g) {
    String eq = equation(n);
    if (eq == null || !eq.contains("->")) {
      return null;
    }
    String[] sides = eq.split("->", -1);
    String out = sides[1];
    String[] terms = sides[0].split(",", -1);
    if (terms.length != n.getInputCount() || !valid(out) || n.getOutputCount() != 1) {
      return null;
    }
    for (String t : terms) {
      if (!valid(t)) {
        return null;
      }
    }
    String base = n.getName();
    String y = n.getOutput(0);
    if (terms.length == 1) {
      if (!sameLetters(terms[0], out)) {
        return null;
      }
      return List.of(transpose(base + "_transpose", n.getInput(0), y, perm(terms[0], out)));
    }
    if (terms.length != 2) {
      return null;
    }
    String a = terms[0];
    String b = terms[1];
    String summed = "";
    String rows = "";
    String cols = "";
    for (char c : (a + b).toCharArray()) {
      boolean inA = a.indexOf(c) >= 0;
      boolean inB = b.indexOf(c) >= 0;
      boolean inOut = out.indexOf(c) >= 0;
      if (!inOut && !(inA && inB)) {
        return null; // summed out of one operand only
      }
      if (!inOut && summed.indexOf(c) < 0) {
        summed += c;
      }
    }
    if (summed.length() != 1) {
      return null;
    }
    // Free letters: in the output and one operand only; the last such letter of each operand (in the output's order)
    // is its matrix dimension, the others are batch letters broadcast by MatMul.
    for (char c : out.toCharArray()) {
      boolean inA = a.indexOf(c) >= 0;
      boolean inB = b.indexOf(c) >= 0;
      if (!inA && !inB) {
        return null;
      }
      if (inA && !inB) {
        rows = String.valueOf(c);
      } else if (inB && !inA) {
        cols = String.valueOf(c);
      }
    }
    if (rows.isEmpty() || cols.isEmpty()) {
      return null;
    }
    String batch = out.replace(rows, "").replace(cols, "");
    String aOrder = only(batch, a) + rows + summed;
    String bOrder = only(batch, b) + summed + cols;
    if (!sameLetters(a, aOrder) || !sameLetters(b, bOrder)) {
      return null;
    }
    // MatMul aligns batch dims from the right: each operand's batch letters must end the output's batch letters.
    if (!batch.endsWith(only(batch, a)) || !batch.endsWith(only(batch, b))) {
      return null;
    }
    List<NodeProto> nodes = new ArrayList<>();
    String left = n.getInput(0);
    if (!a.equals(aOrder)) {
      left = g.freshName(y + "_lhs");
      nodes.add(transpose(base + "_lhs", n.getInput(0), left, perm(a, aOrder)));
    }
    String right = n.getInput(1);
    if (!b.equals(bOrder)) {
      right = g.freshName(y + "_rhs");
      nodes.add(transpose(base + "_rhs", n.getInput(1), right, perm(b, bOrder)));
    }
    String product = batch + rows + cols;
    String mm = product.equals(out) ? y : g.freshName(y + "_matmul");
    nodes.add(node("MatMul", base + "_matmul", List.of(left, right), List.of(mm)));
    if (!product.equals(out)) {
      nodes.add(transpose(base + "_out", mm, y, perm(product, out)));
    }
    return nodes;
  }

  private static String equation(NodeProto n) {
    String eq = Attrs.s(n, "equation", null);
    return eq == null ? null : eq.replace(" ", "");
  }

  /** Letters only, none repeated. */
  private static boolean valid(String term) {
    return TERM.matcher(term).matches() && term.chars().distinct().count() == term.length();
  }

  private static boolean sameLetters(String x, String y) {
    return x.length() == y.length() && x.chars().allMatch(c -> y.indexOf(c) >= 0);
  }

  /** The letters of {@code order} that {@code term} has, in {@code order}'s order. */
  private static String only(String order, String term) {
    StringBuilder s = new StringBuilder();
    for (char c : order.toCharArray()) {
      if (term.indexOf(c) >= 0) {
        s.append(c);
      }
    }
    return s.toString();
  }

  /** Transpose's perm taking letters in {@code from}'s order to {@code to}'s. */
  private static List<Long> perm(String from, String to) {
    List<Long> p = new ArrayList<>();
    for (char c : to.toCharArray()) {
      p.add((long) from.indexOf(c));
    }
    return p;
  }

  private static NodeProto transpose(String name, String in, String out, List<Long> perm) {
    return node("Transpose", name, List.of(in), List.of(out)).toBuilder()
        .addAttribute(Attrs.ofInts("perm", perm)).build();
  }
}
