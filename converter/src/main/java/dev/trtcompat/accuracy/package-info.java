/** Comparing an engine's outputs with the reference's, with tolerances per precision. */
package dev.trtcompat.accuracy;
