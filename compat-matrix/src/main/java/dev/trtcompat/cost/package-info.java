/** Static cost of a model: parameters and multiply-accumulates (FLOPs) estimated from tensor shapes. */
package dev.trtcompat.cost;
