/*
 * lazylib.h - libcurl, libical and cjose, loaded at their first use.
 *
 * A server that sends no message, signs in nobody through OIDC and serves
 * no calendar feed never calls these three libraries, yet linking them
 * mapped them and what they bring at start: OpenSSL, Kerberos, LDAP, ssh2
 * and nghttp2 through libcurl, OpenSSL again through cjose, ICU and
 * libstdc++ through libical.  The kernel maps a library's pages in large
 * folios, so even untouched code counted: 8 MB of the 20 MB a fresh server
 * held at 1M (README "Memory").  Initialising them later (curl_global_init
 * at the first send) saved 0.2 MB; not loading them saves the 8 MB.
 *
 * The files that use a library include its lazy_<lib>.h in place of the
 * library's header: that header includes the real one (for the types and
 * prototypes) and redefines each function the server calls as a call
 * through a pointer found with dlsym (LAZYLIB_FN), looked up once a call
 * site and kept in an atomic.  The first lookup opens the library
 * (dlopen, under a lock: first use from several threads at once opens it
 * once) and, for libcurl, calls curl_global_init before any handle exists.
 * The binary is linked with --as-needed, so the libraries are not in its
 * DT_NEEDED; the .deb names them in Depends (deploy/package.cmake).  A
 * library that cannot be opened is a broken installation: main() finds it
 * at start (lazylib_check: a child process opens the three and exits, so
 * the server maps none of them) and refuses to start; should one still
 * fail at its first use, that is logged with dlerror()'s reason, then
 * abort().
 */
#ifndef TIMEBOK_LAZYLIB_H
#define TIMEBOK_LAZYLIB_H

#include <stdatomic.h>
#include <stdbool.h>

enum lazylib { LAZYLIB_CURL, LAZYLIB_ICAL, LAZYLIB_CJOSE, LAZYLIB_COUNT };

/* The address of name in lib, opening lib first if needed; never NULL. */
void *lazylib_sym(enum lazylib lib, const char *name);
/* Whether the three libraries can be opened (logged when not), tried in a
 * child process; before any thread (fork). */
bool lazylib_check(void);
/* Whether lib has been opened (tests, and lazylib_free). */
bool lazylib_loaded(enum lazylib lib);
/* At the end of main: curl_global_cleanup if libcurl was opened. */
void lazylib_free(void);

/* fn as a function designator of its own type, through a pointer looked up
 * once at this call site. */
#define LAZYLIB_FN(lib, fn)                                                                        \
	(*__extension__({                                                                          \
		static void *_Atomic lazy_p;                                                       \
		void *lazy_q = atomic_load_explicit(&lazy_p, memory_order_acquire);                \
		if (!lazy_q) {                                                                     \
			lazy_q = lazylib_sym(lib, #fn);                                            \
			atomic_store_explicit(&lazy_p, lazy_q, memory_order_release);              \
		}                                                                                  \
		(__typeof__(&fn))lazy_q;                                                           \
	}))
/* A variable of lib's (cjose's header names are variables). */
#define LAZYLIB_VAR(lib, var) LAZYLIB_FN(lib, var)

#endif
