/**
 * Resumable, chunked uploads of large models with their external data: declared files received chunk by chunk
 * into the data folder, their state kept in the database, completed into the model store.
 */
package dev.trtcompat.http.upload;
