/*
 * pool_truth.c - the "pool" part of the truth file (docs/lab.md): per tag
 * what the lab allocated, freed and charged, the tracker and big-page
 * tables, the descriptors, a sample of blocks and thread objects, and the
 * !vm figures as written.
 */
#include "pool.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static json_t *hex(uint64_t v)
{
	char b[24];
	snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
	return json_string(b);
}

/* "MSKK" when the four bytes print, else the dword in hex. */
static json_t *tag_json(uint32_t tag)
{
	char s[5];
	for (int i = 0; i < 4; i++) {
		unsigned char c = (unsigned char)(tag >> (8 * i));
		if (c < 0x20 || c > 0x7E)
			return hex(tag);
		s[i] = (char)c;
	}
	s[4] = '\0';
	return json_string(s);
}

static const char *kind_name(int kind)
{
	return kind == LAB_POOL_NONPAGED ? "nonpaged" : kind == LAB_POOL_PAGED ? "paged" : "session";
}

static json_t *desc_json(const lab *l, const lab_pool_desc *d, const char *name)
{
	json_t *o = json_object();
	(void)l;
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "va", hex(d->va));
	json_object_set_new(o, "pool_index", json_integer(d->pool_index));
	json_object_set_new(o, "small_pages", json_integer((json_int_t)d->pages));
	json_object_set_new(o, "big_pages", json_integer((json_int_t)d->big_pages));
	json_object_set_new(o, "usage", json_integer((json_int_t)d->figure));
	json_object_set_new(o, "running_allocs", json_integer((json_int_t)d->running_allocs));
	json_object_set_new(o, "running_frees", json_integer((json_int_t)d->running_frees));
	return o;
}

void lab_pool_truth(const lab *l, json_t *root)
{
	const lab_pool_state *ps = l->pool;
	const lab_profile *p = &l->prof;
	json_t *pool = json_object(), *a, *o;
	size_t big_in_use = 0, big_freed = 0, sampled = 0;

	if (!ps)
		return;
	json_object_set_new(pool, "scale_ppm", json_integer((json_int_t)l->sc.scale_ppm));
	json_object_set_new(pool, "header_size", json_integer(p->pool_header));
	json_object_set_new(pool, "block_unit", json_integer(p->pool_unit));
	json_object_set_new(pool, "small_max", hex(p->pool_small_max));

	a = json_array();
	for (size_t i = 0; i < ps->tag_count; i++) {
		const lab_tag_stat *t = &ps->tags[i];
		json_t *r = json_object(), *s = json_array();
		json_object_set_new(r, "tag", tag_json(t->tag));
		json_object_set_new(r, "key", hex(t->tag));
		json_object_set_new(r, "pool", json_string(kind_name(t->kind)));
		if (t->kind == LAB_POOL_SESSION)
			json_object_set_new(r, "session", json_integer(t->session));
		json_object_set_new(r, "allocs", json_integer((json_int_t)t->allocs));
		json_object_set_new(r, "frees", json_integer((json_int_t)t->frees));
		json_object_set_new(r, "bytes", json_integer((json_int_t)t->bytes));
		json_object_set_new(r, "big_allocs", json_integer((json_int_t)t->big_allocs));
		json_object_set_new(r, "big_frees", json_integer((json_int_t)t->big_frees));
		json_object_set_new(r, "big_not_in_table", json_integer((json_int_t)t->big_untabled));
		json_object_set_new(r, "module", json_string(t->module));
		for (size_t k = 0; k < t->samples; k++)
			json_array_append_new(s, hex(t->sample[k]));
		json_object_set_new(r, "samples", s);
		json_array_append_new(a, r);
	}
	json_object_set_new(pool, "tags", a);

	o = json_object();
	json_object_set_new(o, "table", hex(ps->track_table));
	json_object_set_new(o, "size", json_integer((json_int_t)ps->track_size));
	json_object_set_new(o, "entry_size", hex(p->trk_size));
	a = json_array();
	for (unsigned c = 0; c < (p->per_processor_tables ? l->sc.processors : 1); c++)
		json_array_append_new(a, hex(ps->per_cpu[c]));
	json_object_set_new(o, "per_processor", json_boolean(p->per_processor_tables));
	json_object_set_new(o, "tables", a);
	a = json_array();
	for (size_t i = 0; i < ps->share_count; i++) {
		const lab_cpu_share *c = &ps->shares[i];
		json_t *r = json_object();
		json_object_set_new(r, "tag", tag_json(c->key));
		json_object_set_new(r, "cpu", json_integer(c->cpu));
		json_object_set_new(r, "slot", json_integer((json_int_t)c->slot));
		json_object_set_new(r, "nonpaged_allocs", json_integer(c->np_allocs));
		json_object_set_new(r, "nonpaged_frees", json_integer(c->np_frees));
		json_object_set_new(r, "nonpaged_bytes", json_integer(c->np_bytes));
		json_object_set_new(r, "paged_allocs", json_integer(c->p_allocs));
		json_object_set_new(r, "paged_frees", json_integer(c->p_frees));
		json_object_set_new(r, "paged_bytes", json_integer(c->p_bytes));
		json_array_append_new(a, r);
	}
	json_object_set_new(o, "shares", a);
	json_object_set_new(pool, "tracker", o);

	o = json_object();
	json_object_set_new(o, "table", hex(ps->big_table));
	json_object_set_new(o, "size", json_integer((json_int_t)ps->big_size));
	json_object_set_new(o, "entry_size", hex(p->big_size));
	a = json_array();
	for (size_t i = 0; i < ps->big_count; i++) {
		const lab_big_entry *b = &ps->big[i];
		if (b->freed)
			big_freed++;
		else
			big_in_use++;
		/* The first entries and every 4096th: enough for !pool tests. */
		if (sampled < 32 || i % 4096 == 0) {
			json_t *r = json_object();
			json_object_set_new(r, "va", hex(b->va));
			json_object_set_new(r, "tag", tag_json(b->tag));
			json_object_set_new(r, "pool_type", json_integer(b->pool_type));
			json_object_set_new(r, "bytes", hex(b->bytes));
			json_object_set_new(r, "freed", json_boolean(b->freed));
			if (b->pool_type == 33)
				json_object_set_new(r, "session", json_integer(b->session));
			json_array_append_new(a, r);
			sampled++;
		}
	}
	json_object_set_new(o, "in_use", json_integer((json_int_t)big_in_use));
	json_object_set_new(o, "freed", json_integer((json_int_t)big_freed));
	json_object_set_new(o, "sample", a);
	json_object_set_new(pool, "big_pages", o);

	a = json_array();
	json_array_append_new(a, desc_json(l, &ps->nonpaged, "nonpaged"));
	for (uint32_t i = 0; i <= ps->paged_pools; i++) {
		char name[24];
		snprintf(name, sizeof name, "paged-%u", i);
		json_array_append_new(a, desc_json(l, &ps->paged[i], name));
	}
	for (size_t i = 0; i < ps->session_count; i++) {
		char name[24];
		snprintf(name, sizeof name, "session-%u", ps->sessions[i].session);
		json_array_append_new(a, desc_json(l, &ps->sessions[i], name));
	}
	json_object_set_new(pool, "descriptors", a);

	o = json_object();
	json_object_set_new(o, "total", json_integer((json_int_t)ps->threads_total));
	json_object_set_new(o, "terminated", json_integer((json_int_t)ps->threads_terminated));
	json_object_set_new(o, "tag", hex(p->thread_tag));
	a = json_array();
	for (size_t i = 0; i < ps->thread_count; i++) {
		const lab_thread *t = &ps->threads[i];
		json_t *r = json_object();
		json_object_set_new(r, "block", hex(t->block));
		json_object_set_new(r, "object_header", hex(t->object_header));
		json_object_set_new(r, "ethread", hex(t->ethread));
		json_object_set_new(r, "kthread_offset", hex(t->ethread - t->block));
		json_object_set_new(r, "block_size", hex(lab_pool_charge(l, (uint32_t)(t->ethread - t->block -
											   p->pool_header + p->et_size))));
		json_object_set_new(r, "pid", hex(t->pid));
		json_object_set_new(r, "tid", hex(t->tid));
		json_object_set_new(r, "process", json_string(l->processes[t->process].spec->name));
		json_object_set_new(r, "eprocess", hex(l->processes[t->process].eprocess));
		json_object_set_new(r, "state", json_string(t->terminated ? "terminated" : "waiting"));
		json_object_set_new(r, "quota", json_boolean(t->quota));
		json_object_set_new(r, "linked", json_boolean(!t->terminated));
		json_array_append_new(a, r);
	}
	json_object_set_new(o, "sample", a);
	json_object_set_new(pool, "threads", o);

	o = json_object();
	json_object_set_new(o, "physical-memory", json_integer((json_int_t)lab_scenario_total_pages(&l->sc)));
	for (size_t i = 0; i < ps->vm_count; i++)
		json_object_set_new(o, ps->vm[i].name, json_integer((json_int_t)ps->vm[i].value));
	json_object_set_new(pool, "vm", o);

	/* What !vm prints for each paging file, in Kb. */
	a = json_array();
	for (size_t i = 0; i < l->sc.pagefile_count; i++) {
		const lab_pagefile_spec *f = &l->sc.pagefiles[i];
		json_t *r = json_object();
		json_object_set_new(r, "name", json_string(f->path));
		json_object_set_new(r, "current_kb", json_integer((json_int_t)f->current_kb));
		json_object_set_new(r, "free_kb", json_integer((json_int_t)f->free_kb));
		json_object_set_new(r, "minimum_kb", json_integer((json_int_t)f->minimum_kb));
		json_object_set_new(r, "maximum_kb", json_integer((json_int_t)f->maximum_kb));
		json_array_append_new(a, r);
	}
	json_object_set_new(pool, "pagefiles", a);

	json_object_set_new(root, "pool", pool);
}
