/** The durable work of the running service: jobs submitted, cells executed, events fed to the pages. */
package dev.trtcompat.service;
