/** The one Jackson configuration the CLI, the API and the stored documents share. */
package dev.trtcompat.json;
