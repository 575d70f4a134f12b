/*
** ds_date.h -- dates written the ways documents write them, to ISO 8601.
*/
#ifndef DS_DATE_H
#define DS_DATE_H

#include "ds.h"

/*
** Write the ISO 8601 form of the date in z[0..n) to zOut (at least 32 bytes):
** `2015-12-07`, `2019-10`, `2022`, or a date and time as given (`2023-03-22T10:00:00Z`).
** Understands ISO forms, `2015/12/07`, `7.12.2015`, `December 7, 2015`, `Dec. 7, 2015`,
** `7 December 2015`, `1st of December 2015` (an ordinal's ending and `of` say nothing),
** `December 2015`, and `Mon, 07 Dec 2015 10:00:00 GMT`. Returns 1 on
** success, 0 (zOut untouched) when z is not a date it knows.
*/
int ds_date_iso(const char *z, size_t n, char *zOut);

#endif
