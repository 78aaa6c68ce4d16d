package dev.trtcompat.rules;

/**
 * Opset facts of one release's ONNX parser.
 *
 * @param opsetMin the lowest default-domain opset the code accepts without a warning (ModelImporter warns
 *     below 7 on every branch)
 * @param opsetMinDocumented the lower bound the operator document states, when it states one
 * @param opsetMax the highest opset the operator document says the release supports; nothing in the code
 *     rejects a newer opset, but operators whose schema changed after it are outside what the release knows
 * @param docDataTypes the data-type sentence of the operator document, verbatim
 */
public record ParserFacts(int opsetMin, Integer opsetMinDocumented, int opsetMax, String docDataTypes) {}
