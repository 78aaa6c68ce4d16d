package dev.trtcompat.rules;

/**
 * A place where a release's operator table and its importer code disagree (or the table repeats an operator),
 * and which fact the knowledge base kept: the code's.
 */
public record Resolution(String op, String doc, String decision, String evidence) {}
