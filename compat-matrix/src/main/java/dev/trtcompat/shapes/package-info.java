/** Shape arithmetic shared by every pass that infers tensor shapes (FLOP counting, the fix shape pass). */
package dev.trtcompat.shapes;
