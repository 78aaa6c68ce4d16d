/**
 * trtexec command lines per TensorRT release and the reader of its logs, with the failing node matched back to the
 * model.
 */
package dev.trtcompat.trtexec;
