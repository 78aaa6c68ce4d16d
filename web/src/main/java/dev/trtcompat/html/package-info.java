/** Server-side HTML building with escaping on the way in, shared by the pages ({@code http}) and the matrix report. */
package dev.trtcompat.html;
