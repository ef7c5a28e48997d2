/* SPDX-License-Identifier: BSD-3-Clause */
/* Rooms by (ApplicationID, ResourceID), and their members. */
#include <stdlib.h>
#include <string.h>

#include "room.h"

static unsigned bucket_of(const char *app, const char *resource)
{
	uint32_t h = 2166136261u;

	for (const char *s = app; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	/* A separator that cannot occur in either, so ("ab","c") != ("a","bc"). */
	h = (h ^ 0xff) * 16777619u;
	for (const char *s = resource; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h % CP_ROOM_BUCKETS;
}

void cp_rooms_init(struct cp_rooms *r)
{
	memset(r, 0, sizeof(*r));
	r->next_dp_room = 1;
}

void cp_rooms_fini(struct cp_rooms *r)
{
	for (unsigned b = 0; b < CP_ROOM_BUCKETS; b++) {
		struct cp_room *room = r->buckets[b];
		while (room != NULL) {
			struct cp_room *next = room->next;
			free(room);
			room = next;
		}
	}
	memset(r, 0, sizeof(*r));
}

struct cp_room *cp_room_find(struct cp_rooms *r, const char *app, const char *resource)
{
	for (struct cp_room *room = r->buckets[bucket_of(app, resource)]; room; room = room->next)
		if (strcmp(room->app, app) == 0 && strcmp(room->resource, resource) == 0)
			return room;
	return NULL;
}

struct cp_room *cp_room_get(struct cp_rooms *r, const char *app, const char *resource,
			    bool *created)
{
	struct cp_room *room = cp_room_find(r, app, resource);

	*created = false;
	if (room != NULL)
		return room;
	if (strlen(app) > CP_APP_MAX || strlen(resource) > CP_RESOURCE_MAX)
		return NULL;
	room = calloc(1, sizeof(*room));
	if (room == NULL)
		return NULL;
	strcpy(room->app, app);
	strcpy(room->resource, resource);
	/* The dataplane groups a room's legs on a worker by this number. */
	room->dp_room = r->next_dp_room++;
	if (r->next_dp_room == 0)
		r->next_dp_room = 1;
	unsigned b = bucket_of(app, resource);
	room->next = r->buckets[b];
	r->buckets[b] = room;
	r->n_rooms++;
	*created = true;
	return room;
}

void cp_room_drop(struct cp_rooms *r, struct cp_room *room)
{
	struct cp_room **at = &r->buckets[bucket_of(room->app, room->resource)];

	while (*at != NULL && *at != room)
		at = &(*at)->next;
	if (*at == NULL)
		return;
	*at = room->next;
	r->n_rooms--;
	free(room);
}

struct cp_room *cp_rooms_first(const struct cp_rooms *r, unsigned *k)
{
	for (*k = 0; *k < CP_ROOM_BUCKETS; (*k)++)
		if (r->buckets[*k] != NULL)
			return r->buckets[*k];
	return NULL;
}

struct cp_room *cp_rooms_next(const struct cp_rooms *r, struct cp_room *room, unsigned *k)
{
	if (room->next != NULL)
		return room->next;
	for ((*k)++; *k < CP_ROOM_BUCKETS; (*k)++)
		if (r->buckets[*k] != NULL)
			return r->buckets[*k];
	return NULL;
}

unsigned cp_rooms_of_app(const struct cp_rooms *r, const char *app)
{
	unsigned n = 0, k;

	for (struct cp_room *room = cp_rooms_first(r, &k); room; room = cp_rooms_next(r, room, &k))
		n += strcmp(room->app, app) == 0;
	return n;
}

unsigned cp_participants_of_app(const struct cp_rooms *r, const char *app)
{
	unsigned n = 0, k;

	for (struct cp_room *room = cp_rooms_first(r, &k); room; room = cp_rooms_next(r, room, &k))
		if (strcmp(room->app, app) == 0)
			n += room->n_members;
	return n;
}

void cp_room_add(struct cp_room *room, struct cp_participant *p)
{
	/* Appended, so member order is join order. */
	struct cp_participant **at = &room->members;

	while (*at != NULL)
		at = &(*at)->next;
	p->next = NULL;
	p->room = room;
	*at = p;
	room->n_members++;
}

void cp_room_remove(struct cp_room *room, struct cp_participant *p)
{
	for (struct cp_participant **at = &room->members; *at; at = &(*at)->next) {
		if (*at == p) {
			*at = p->next;
			room->n_members--;
			p->next = NULL;
			return;
		}
	}
}

struct cp_participant *cp_room_member(const struct cp_room *room, const char *participant_id)
{
	for (struct cp_participant *p = room->members; p; p = p->next)
		if (strcmp(p->id, participant_id) == 0)
			return p;
	return NULL;
}

struct cp_pub *cp_participant_pub(struct cp_participant *p, const char *stream_id)
{
	for (unsigned i = 0; i < p->n_pubs; i++)
		if (strcmp(p->pubs[i].id, stream_id) == 0)
			return &p->pubs[i];
	return NULL;
}

struct cp_sub *cp_participant_sub(struct cp_participant *p, const struct cp_participant *pub,
				  const char *stream_id)
{
	for (struct cp_sub *s = p->subs; s; s = s->next)
		if (s->publisher == pub && strcmp(s->pub_id, stream_id) == 0)
			return s;
	return NULL;
}

const struct cp_pref *cp_participant_pref(const struct cp_participant *p, const char *stream_id)
{
	for (unsigned i = 0; i < p->n_prefs; i++)
		if (strcmp(p->prefs[i].pub_id, stream_id) == 0)
			return &p->prefs[i];
	return NULL;
}

bool cp_resource_id_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == ':' || c == '@' || c == '-'))
			return false;
	}
	return n >= 1 && n <= CP_RESOURCE_MAX;
}
