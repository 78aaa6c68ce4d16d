/** The service's content-addressed model folders: uploads staged, hashed and kept with their external data. */
package dev.trtcompat.models;
