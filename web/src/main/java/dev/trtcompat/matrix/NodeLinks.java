package dev.trtcompat.matrix;

/**
 * Where a main-graph node's row is: the model page lists the graph {@link #PAGE_SIZE} nodes a page
 * ({@code ?graph-page=N}, 1-based), so a finding's link names the node's page unless it is the first.
 */
public final class NodeLinks {

  /** Nodes per page of the graph listing: a few dozen KB of HTML, whatever the model's size. */
  public static final int PAGE_SIZE = 100;

  /** The query parameter that picks the graph listing's page. */
  public static final String PAGE_PARAM = "graph-page";

  private NodeLinks() {}

  /** The 1-based page of the unfiltered listing that holds the node. */
  public static int page(int nodeIndex) {
    return nodeIndex / PAGE_SIZE + 1;
  }

  /**
   * A link to the node's row, relative to the model page: {@code #node-N} on the first page, which the page
   * opens with, otherwise {@code ?graph-page=P#node-N}.
   */
  public static String href(int nodeIndex) {
    int page = page(nodeIndex);
    return (page == 1 ? "" : "?" + PAGE_PARAM + "=" + page) + "#node-" + nodeIndex;
  }
}
