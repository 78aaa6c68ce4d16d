package dev.trtcompat.http;

/** The body of every API error: a stable identifier and one line for the user. */
public record ApiError(String error, String detail) {}
