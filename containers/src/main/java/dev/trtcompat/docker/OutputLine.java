package dev.trtcompat.docker;

/**
 * One line a container wrote, delivered while the container runs.
 *
 * @param stderr written to standard error (else standard output)
 * @param text the line without its line break
 */
public record OutputLine(boolean stderr, String text) {}
