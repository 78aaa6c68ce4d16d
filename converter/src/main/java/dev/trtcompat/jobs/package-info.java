/** Durable jobs and their cells in the database: queue, claims, leases, retries, recovery and events. */
package dev.trtcompat.jobs;
