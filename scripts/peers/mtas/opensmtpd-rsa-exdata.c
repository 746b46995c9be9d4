/*
 * LD_PRELOAD shim for Debian 12's OpenSMTPD 6.8.0p2 on OpenSSL 3: makes STARTTLS work.
 *
 * The bug: smtpd keeps private keys in one process ("klondike") and gives the network
 * process ("pony express") an RSA key whose private operations are forwarded to it; the
 * key carries the pki name in RSA ex_data slot 0, set with RSA_set_ex_data(rsa, 0, name).
 * OpenSSL 3 signs the TLS handshake with a provider-side copy of that key, made with the
 * process's default RSA method (smtpd's forwarding one) but without the ex_data. smtpd's
 * rsae_priv_enc() then finds no name, falls back to a local private operation on a key
 * that has no private part, and the handshake dies:
 *   rsa routines::missing private key / SSL routines::EVP lib
 * (OpenSMTPD issues #1171 and #1239; upstream reworked this code in 7.x.)
 *
 * The fix: remember the name smtpd stored in slot 0 and hand it back when OpenSSL's copy
 * has none. scripts/peers/mtas.sh configures a single pki, so the name is unambiguous.
 * The private key still never leaves klondike; only the lookup of its name is repaired.
 *
 * Built by scripts/peers/mtas.sh: cc -shared -fPIC -o rsa-exdata.so this.c -ldl
 * No OpenSSL headers needed: the two functions take and return plain pointers.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

static void *last_slot0;

int RSA_set_ex_data(void *rsa, int idx, void *arg)
{
	static int (*real)(void *, int, void *);

	if (real == NULL)
		real = (int (*)(void *, int, void *))dlsym(RTLD_NEXT, "RSA_set_ex_data");
	if (idx == 0 && arg != NULL)
		last_slot0 = arg;
	return real(rsa, idx, arg);
}

void *RSA_get_ex_data(const void *rsa, int idx)
{
	static void *(*real)(const void *, int);
	void *value;

	if (real == NULL)
		real = (void *(*)(const void *, int))dlsym(RTLD_NEXT, "RSA_get_ex_data");
	value = real(rsa, idx);
	return value == NULL && idx == 0 ? last_slot0 : value;
}
