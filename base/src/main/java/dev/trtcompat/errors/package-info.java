/**
 * The user-facing failure type: a kind, a stable error id and a message for people; the edges (HTTP, CLI) choose
 * status and exit code.
 */
package dev.trtcompat.errors;
