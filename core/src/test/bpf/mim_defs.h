// Map-in-map definitions the verifier tests share: an ARRAY_OF_MAPS of 4-entry u64 arrays and a
// HASH_OF_MAPS of hashes with 8-byte keys, each with one inner map placed at load.
#include "oracle_net.h"

struct arr_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct arr_inner arr0 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct arr_inner);
} outer_arr SEC(".maps") = {
	.values = { [0] = &arr0 },
};

struct hash_inner {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u64);
	__type(value, __u32);
};

struct hash_inner h0 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct hash_inner);
} outer_hash SEC(".maps") = {
	.values = { [0] = &h0 },
};
