/*
 * h5util.h - small HDF5 helpers shared by the run writer (io/run_*.c), the
 * result reader (io/info*.c) and the sweep files (experiment/sweep_*.c)
 * (internal to libipsim): the one switch that keeps HDF5 quiet and the
 * reason of a failure, the attribute writers and readers, and the dataset
 * readers.
 * Every function closes what it opened and prints nothing; those returning
 * int return 0 on success and -1 on failure.
 */
#ifndef IPSIM_H5UTIL_H
#define IPSIM_H5UTIL_H

#include <stddef.h>
#include <hdf5.h>

/* HDF5's automatic error printing, as saved by ipsim_h5_quiet_begin. */
typedef struct {
    H5E_auto2_t fn;
    void *data;
} ipsim_h5_quiet;

/* Switch HDF5's automatic error printing off (the library never prints),
 * saving the handler that was in force into *q. Pairs nest. */
void ipsim_h5_quiet_begin(ipsim_h5_quiet *q);

/* Clear HDF5's error stack and restore the handler saved in *q. Read the
 * stack (ipsim_h5_error_reason) before this if the reason of a failure is
 * wanted. */
void ipsim_h5_quiet_end(const ipsim_h5_quiet *q);

/* Size of a buffer for ipsim_h5_error_reason. */
#define IPSIM_H5_REASON_MAX 120

/* The innermost message of HDF5's current error stack into buf (cut to
 * len - 1 characters); "" when the stack holds none. */
void ipsim_h5_error_reason(char *buf, size_t len);

/* Open an existing file read-only, without file locking (so results on
 * shared or read-only file systems open); -1 on failure. */
hid_t ipsim_h5_open_readonly(const char *path);

/* A variable-length UTF-8 string type (caller closes it), or -1. */
hid_t ipsim_h5_str_type(void);

/* Write a scalar attribute: a variable-length UTF-8 string (h5py reads it as
 * str, netCDF as a string attribute, which CF-1.8 allows), or a number of
 * the given native type. */
int ipsim_h5_attr_str(hid_t loc, const char *name, const char *value);
int ipsim_h5_attr_num(hid_t loc, const char *name, hid_t type, const void *value);

/* Read a scalar string attribute (fixed or variable length) into buf, or a
 * scalar numeric attribute converted to mtype into v; -1 if missing or of
 * another kind. */
int ipsim_h5_attr_text(hid_t obj, const char *name, char *buf, size_t len);
int ipsim_h5_attr_value(hid_t obj, const char *name, hid_t mtype, void *v);

/* Longest fixed-length string element read from a file, in bytes (a
 * longer one is refused rather than allocated). */
#define IPSIM_H5_TEXT_MAX ((size_t)1 << 16)

/* Read n strings (fixed or variable length) of file type ftype from an
 * attribute (is_attr) or a dataset into out[i] (malloc'd each); -1 for a
 * fixed-length type longer than IPSIM_H5_TEXT_MAX. */
int ipsim_h5_read_string_values(hid_t obj, int is_attr, hid_t ftype, size_t n, char **out);

/* 1 if every link of the relative path loc/"a/b/c" exists and is a hard
 * link (never a soft or external one: a hostile file could point at a
 * FIFO or another file), else 0. */
int ipsim_h5_exists(hid_t loc, const char *path);

/* Most values ipsim_h5_read_doubles or ipsim_h5_read_strings reads from
 * one dataset (a larger one, as a hostile file may declare, is refused
 * rather than allocated). */
#define IPSIM_H5_READ_MAX ((size_t)1 << 28)

/* Largest chunk (bytes) of a dataset ipsim reads (its own are < 4 MiB). */
#define IPSIM_H5_CHUNK_MAX ((size_t)1 << 26)

/* 1 if the open dataset ds keeps its data in the file itself (compact,
 * contiguous, or chunked in chunks of at most IPSIM_H5_CHUNK_MAX bytes):
 * not in external raw files nor a virtual dataset, which a hostile file
 * could point at a FIFO or a secret; else 0. */
int ipsim_h5_plain_layout(hid_t ds);

/* All values of the integer or floating-point dataset loc/path converted to
 * double (malloc'd; caller frees), their count in *n (if n is not NULL);
 * NULL for more than IPSIM_H5_READ_MAX values.
 * rank >= 0: the dataset must have that rank, and dims (if not NULL)
 * receives its rank dimensions; rank < 0: any rank, dims unused. NULL if
 * the dataset is missing, empty, of another rank or type, or unreadable. */
double *ipsim_h5_read_doubles(hid_t loc, const char *path, int rank, hsize_t *dims, size_t *n);

/* All strings (fixed or variable length) of the string dataset loc/path,
 * each malloc'd, in a malloc'd array (free with ipsim_h5_free_strings),
 * their count in *n. rank >= 0: the dataset must have that rank; rank < 0:
 * any (a scalar gives one string). An empty dataset gives an array with
 * *n = 0; NULL if missing, not strings, of another rank, of more than
 * IPSIM_H5_READ_MAX strings, or unreadable. */
char **ipsim_h5_read_strings(hid_t loc, const char *path, int rank, size_t *n);

/* Free n strings and their array (NULL is fine). */
void ipsim_h5_free_strings(char **v, size_t n);

#endif /* IPSIM_H5UTIL_H */
