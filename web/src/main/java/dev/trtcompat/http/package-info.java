/** The Javalin service: routes, pages, access control and the mapping of failures to HTTP statuses. */
package dev.trtcompat.http;
