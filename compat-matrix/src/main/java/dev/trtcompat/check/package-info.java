/**
 * The static checker: verdicts and findings per TensorRT release for one model, from the model and the knowledge
 * base.
 */
package dev.trtcompat.check;
