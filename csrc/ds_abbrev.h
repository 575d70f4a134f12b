/*
** ds_abbrev.h -- English abbreviations and sentence starters (NULL-terminated lists of
** forms without their period, matched case-sensitively), generated into ds_abbrev.c
** from corpus/lexicon/en-abbreviations.txt by tools/gen_abbrev.lua. The file's header
** says what each list means.
*/
#ifndef DS_ABBREV_H
#define DS_ABBREV_H

#include <stddef.h>

extern const char *const ds_azAbbrev[];        /* keep their period */
extern const char *const ds_azPrepositive[];   /* followed by a name or a number */
extern const char *const ds_azStarter[];       /* words that usually open a sentence */

#endif
