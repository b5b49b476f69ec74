// Invariant checks that stay on in release builds: a broken invariant in an archiver must stop
// the process rather than acknowledge WAL that may be wrong. Cheap conditions only.
#pragma once

#include <cstdio>
#include <cstdlib>

#define WALPIPE_CHECK(cond)                                                                     \
  do {                                                                                          \
    if (!(cond)) [[unlikely]] {                                                                 \
      std::fprintf(stderr, "walpipe: internal check failed at %s:%d: %s\n", __FILE__, __LINE__, \
                   #cond);                                                                      \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)

#ifdef NDEBUG
#define WALPIPE_DCHECK(cond) \
  do {                       \
  } while (0)
#else
#define WALPIPE_DCHECK(cond) WALPIPE_CHECK(cond)
#endif
