/* SPDX-License-Identifier: GPL-2.0 */
/* JSON output (json.c). */
#ifndef AUTOSEL_JSON_H
#define AUTOSEL_JSON_H

#include <stddef.h>
#include <stdio.h>

/*
 * s as a JSON string: quotes, and escapes for '"', '\\' and controls; a
 * byte that is not part of well-formed UTF-8 is written as U+FFFD.
 */
void as_json_str(FILE *f, const char *s);
/*
 * Length of the well-formed UTF-8 sequence (RFC 3629) at s, or 0; for
 * writers of other text formats that must be UTF-8 too (metrics.c).
 */
size_t as_utf8_len(const unsigned char *s);

#endif
