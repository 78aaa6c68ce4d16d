package dev.trtcompat.jobs;

/**
 * Removes what a dead instance left behind for a cell it was running (its containers). The container
 * layer implements it by finding containers labelled with the cell id; it must be idempotent, because
 * two instances may recover the same cell's leftovers.
 */
@FunctionalInterface
public interface OrphanedCellCleanup {

  /** Does nothing: for runners whose executors leave nothing behind. */
  OrphanedCellCleanup NONE = (cell, previousOwner) -> {};

  /**
   * @param cell the interrupted cell; remove containers labelled with its id and an attempt up to
   *     {@code cell.attempts()}, never later ones (a later attempt may already be running elsewhere)
   * @param previousOwner the instance that held it
   */
  void removeLeftovers(Cell cell, String previousOwner) throws Exception;
}
