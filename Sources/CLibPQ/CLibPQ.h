#ifndef PLEDGER_CLIBPQ_H
#define PLEDGER_CLIBPQ_H

// PostgreSQL's C client, for what PostgresNIO cannot do: read `COPY … TO STDOUT`
// (PledgerStore's `BinaryCopyReader`). Debian: libpq-dev.
#if __has_include(<postgresql/libpq-fe.h>)
#include <postgresql/libpq-fe.h>
#else
#include <libpq-fe.h>
#endif

#endif
