/*
 * h5util.h - small HDF5 helpers shared by the run writer (output.c), the
 * result reader (output_info.c) and the sweep files (sweep_output.c)
 * (internal to libipsim). Every function returns 0 on success and -1 on
 * failure, closes what it opened, and prints nothing.
 */
#ifndef IPSIM_H5UTIL_H
#define IPSIM_H5UTIL_H

#include <stddef.h>
#include <hdf5.h>

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

/* Read n strings (fixed or variable length) of file type ftype from an
 * attribute (is_attr) or a dataset into out[i] (malloc'd each). */
int ipsim_h5_read_string_values(hid_t obj, int is_attr, hid_t ftype, size_t n, char **out);

#endif /* IPSIM_H5UTIL_H */
