/** Database indexes of the models and engines the service keeps, with the engine quota. */
package dev.trtcompat.catalog;
