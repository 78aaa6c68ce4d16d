/** Small helpers for work handed to other threads. */
package dev.trtcompat.concurrent;
