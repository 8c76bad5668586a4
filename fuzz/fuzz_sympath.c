/*
 * fuzz_sympath.c - the symbol path parser, the file.ptr parser and the store
 * key builders over arbitrary text. Nothing is looked up: the parsed path is
 * only listed, so the fuzzer never touches the file system or the network.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "poolscope/sympath.h"
#include "sym/symstore_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char target[PS_SYM_PATH_MAX], msg[PS_SYM_PTR_MAX], key[1024];
	uint8_t guid[16] = { 0 };
	ps_sympath *sp = NULL;
	ps_error err;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	if (ps_sympath_parse(text, &sp, &err) == PS_OK) {
		for (size_t i = 0; i < ps_sympath_count(sp); i++) {
			ps_sympath_entry e;
			(void)ps_sympath_entry_at(sp, i, &e);
		}
		(void)ps_sympath_text(sp);
		ps_sympath_free(sp);
	}
	(void)ps_symptr_parse((const char *)data, size, target, sizeof target, msg, sizeof msg);
	memcpy(guid, data, size < sizeof guid ? size : sizeof guid);
	(void)ps_symstore_pdb_key(text, guid, size ? data[0] : 0, key, sizeof key);
	(void)ps_symstore_image_key(text, (uint32_t)size, (uint32_t)size * 4096u, key, sizeof key);
	free(text);
	return 0;
}
