/* SPDX-License-Identifier: MIT */
/* Shared by the fuzz targets that feed files to the code under test. */
#pragma once

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

/* Write data to path, replacing it: plain write(2), no fsync (an atomic,
 * synced write costs most of a run).  0 or -1. */
static inline int fuzz_write(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	return close(fd);
}
