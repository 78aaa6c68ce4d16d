/** The trt-compat command line: one picocli class per subcommand, errors mapped to one line and an exit code here. */
package dev.trtcompat.cli;
