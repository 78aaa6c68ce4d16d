/** Quantities as people read and write them: byte sizes. */
package dev.trtcompat.units;
