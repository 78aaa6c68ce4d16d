/**
 * Running one command in a container image through docker-java: limits, labels, GPU queue, timeouts, log streaming
 * and cleanup.
 */
package dev.trtcompat.docker;
