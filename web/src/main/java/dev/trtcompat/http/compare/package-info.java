/** Comparing models side by side: the compare report, its page, JSON, CSV, chart and the measure-all job. */
package dev.trtcompat.http.compare;
