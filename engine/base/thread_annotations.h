// Clang's thread-safety analysis (-Wthread-safety, on for clang builds in WalpipeFlags.cmake):
// which mutex guards which member, and which functions must or must not hold it, checked at
// compile time. The macros expand to nothing for other compilers. See
// https://clang.llvm.org/docs/ThreadSafetyAnalysis.html for their meaning.
#pragma once

#if defined(__clang__)
#define WALPIPE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define WALPIPE_THREAD_ANNOTATION(x)
#endif

// On a class: it is a lock (a "capability") named `x` in the warnings.
#define CAPABILITY(x) WALPIPE_THREAD_ANNOTATION(capability(x))
// On a class: an RAII holder that acquires in its constructor and releases in its destructor.
#define SCOPED_CAPABILITY WALPIPE_THREAD_ANNOTATION(scoped_lockable)
// On a member: read or written only with `x` held.
#define GUARDED_BY(x) WALPIPE_THREAD_ANNOTATION(guarded_by(x))
// On a function: the caller holds `...` when calling it, and still holds it on return.
#define REQUIRES(...) WALPIPE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
// On a function: the caller must not hold `...` (the function takes it).
#define EXCLUDES(...) WALPIPE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// On a function: it takes `...` (or `this`) and returns holding it.
#define ACQUIRE(...) WALPIPE_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
// On a function: it gives up `...` (or `this`), held on entry.
#define RELEASE(...) WALPIPE_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
// On a function: the analysis believes, from here on, that `...` is held.
#define ASSERT_CAPABILITY(x) WALPIPE_THREAD_ANNOTATION(assert_capability(x))
// On a function: not analysed. Only where a lock is handed over in a way the analysis cannot
// follow (across fork()), with a comment saying so.
#define NO_THREAD_SAFETY_ANALYSIS WALPIPE_THREAD_ANNOTATION(no_thread_safety_analysis)
