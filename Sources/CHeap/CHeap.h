#ifndef PLEDGER_CHEAP_H
#define PLEDGER_CHEAP_H

// The two glibc allocator controls a long-running server needs (PledgerStore's `Heap`);
// no-ops where the C library is not glibc. Header only: nothing to link.
#include <stdlib.h>  // defines __GLIBC__ where the C library is glibc

#if defined(__GLIBC__)
#include <malloc.h>
static inline void pledger_heap_fix_mmap_threshold(int bytes) { (void)mallopt(M_MMAP_THRESHOLD, bytes); }
static inline void pledger_heap_trim(void) { (void)malloc_trim(0); }
#else
static inline void pledger_heap_fix_mmap_threshold(int bytes) { (void)bytes; }
static inline void pledger_heap_trim(void) {}
#endif

#endif
