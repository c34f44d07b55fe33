/* jsonw.h — the probe's JSON writer: members straight to stdout, no
 * library and no tree in memory, so the static probe stays small and
 * starts fast. Calls nest like the output: open_obj("ns"), kint("ino", 1),
 * close_obj(). Commas are placed by the writer; each key/value call adds
 * one member of the innermost open object (or, with sep(), one element of
 * the innermost open array). */
#ifndef HULL_PROBE_JSONW_H
#define HULL_PROBE_JSONW_H

#include <stdbool.h>

/* A comma unless this is the first member of the current object/array. */
void sep(void);
/* A JSON string, or null for NULL. Bytes outside printable ASCII are
 * escaped one by one as \u00XX, so any input gives valid JSON. */
void jstr(const char *s);
/* "k": — the start of a member. */
void key(const char *k);
/* Open an object as member k, or as an array element when k is NULL. */
void open_obj(const char *k);
void open_arr(const char *k);
void close_obj(void);
void close_arr(void);
void kint(const char *k, long long v);
void kstr(const char *k, const char *v);
void kbool(const char *k, bool v);
void knull(const char *k);
/* "k": the errno's name ("ENOENT"), "" for 0. */
void kerr(const char *k, int e);

/* An errno's symbolic name ("EPERM"; "" for 0, "E?" if unknown): errname.c. */
const char *probe_errname(int e);

#endif
