// CO-RE relocations against a struct the object itself defines: field offset, size, existence,
// type existence and size, enum value.
#include <linux/bpf.h>
#include <bpf_helpers.h>
#include <bpf_core_read.h>

struct pkt_meta {
	__u32 mark;
	__u16 vlan;
	__u8 prio;
	__u64 stamp;
} __attribute__((preserve_access_index));

enum meta_kind { META_NONE = 0, META_VLAN = 7 };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct pkt_meta);
	__uint(max_entries, 1);
} metas SEC(".maps");

SEC("xdp")
int core_prog(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct pkt_meta *m = bpf_map_lookup_elem(&metas, &k);
	if (!m)
		return XDP_ABORTED;
	__u64 r = m->stamp;                                /* field byte offset 8 */
	r += bpf_core_field_size(m->vlan);                 /* 2 */
	r += bpf_core_field_exists(m->prio);               /* 1 */
	r += bpf_core_type_exists(struct pkt_meta);        /* 1 */
	r += bpf_core_type_size(struct pkt_meta);          /* 16 */
	r += bpf_core_enum_value(enum meta_kind, META_VLAN); /* 7 */
	return r == 27 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
