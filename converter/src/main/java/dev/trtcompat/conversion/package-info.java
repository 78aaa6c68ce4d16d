/** One conversion: model, release and precision in, a container run, a parsed log and a stored engine out. */
package dev.trtcompat.conversion;
