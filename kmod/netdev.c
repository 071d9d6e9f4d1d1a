// SPDX-License-Identifier: GPL-2.0
/*
 * autosel: the collection device autosel0.
 *
 * autosel0 is the only way selected data leaves the filter.  An XDP program
 * redirects selected frames to it (through a devmap); ndo_xdp_xmit() does
 * not trust the program: it parses every frame again with the shared parser
 * (include/autosel/parse.h) and copies only the header bytes, plus an
 * 802.1Q tag naming the approval slot, into a new skb.  That record is
 * handed to the packet taps (dev_queue_xmit_nit(): tcpdump, AF_PACKET) and
 * nowhere else; the frame itself is returned to its pool at once.  A frame
 * the parser refuses is deleted and counted in "enforced".
 *
 * Nothing the stack sends through autosel0 goes anywhere: ndo_start_xmit()
 * drops it.  IPv6 is disabled on the device at registration so that the
 * kernel itself does not originate packets (router solicitations, MLD)
 * that the taps would see next to the records.
 */
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/skbuff.h>
#include <linux/rtnetlink.h>
#include <net/xdp.h>
#include <net/addrconf.h>

#include <autosel/parse.h>

#include "autosel.h"

static struct net_device *as_netdev;

/*
 * The struct as_meta right in front of the frame, if there is a valid one:
 * the slot (VID) and whether the port judged by the outer headers only.
 */
static u16 as_frame_meta(const struct xdp_frame *frame, u8 *no_decap)
{
	struct as_meta meta;

	*no_decap = 0;
	if ((frame->metasize & 0xff) < sizeof(meta))
		return AS_VID_UNKNOWN;
	memcpy(&meta, frame->data - sizeof(meta), sizeof(meta));
	if (meta.magic != AS_META_MAGIC)
		return AS_VID_UNKNOWN;
	/* Outer headers only are never more than decapsulated ones. */
	*no_decap = !!(meta.flags & AS_META_F_NO_DECAP);
	if (meta.slot >= AS_MAX_SLOTS)
		return AS_VID_UNKNOWN;
	return AS_SLOT_TO_VID(meta.slot);
}

/*
 * Build the record: the first hdr_len bytes of the frame with an 802.1Q
 * tag inserted after the MAC addresses.  Length fields stay as on the wire.
 */
static struct sk_buff *as_record(struct net_device *dev, const u8 *data,
				 const struct as_pkt *pkt, u16 vid)
{
	struct sk_buff *skb;
	__be16 *tag;
	unsigned int len = pkt->hdr_len + VLAN_HLEN;

	skb = alloc_skb(len, GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_put_data(skb, data, 2 * ETH_ALEN);
	tag = skb_put(skb, VLAN_HLEN);
	tag[0] = htons(ETH_P_8021Q);		/* TPID */
	tag[1] = htons(vid & VLAN_VID_MASK);	/* TCI: PCP 0, DEI 0 */
	skb_put_data(skb, data + 2 * ETH_ALEN, pkt->hdr_len - 2 * ETH_ALEN);

	skb->dev = dev;
	skb->protocol = htons(ETH_P_8021Q);
	skb_reset_mac_header(skb);
	skb_set_network_header(skb, pkt->l3_off + VLAN_HLEN);
	skb_set_transport_header(skb, pkt->l4_off + VLAN_HLEN);
	return skb;
}

static void as_xmit_frame(struct net_device *dev, struct xdp_frame *frame)
{
	struct as_pkt pkt = {};
	struct sk_buff *skb;
	unsigned int total = xdp_get_frame_len(frame);
	u16 vid;

	vid = as_frame_meta(frame, &pkt.no_decap);
	/* Only the linear part: headers never come from fragments. */
	if (as_parse(frame->data, frame->data + frame->len, &pkt) !=
	    AS_PARSE_OK) {
		as_count(AS_K_ENFORCED, 1);
		return;
	}
	as_count(AS_C_DISCARDED_PAYLOAD, total - pkt.hdr_len);

	skb = as_record(dev, frame->data, &pkt, vid);
	if (!skb) {
		as_count(AS_K_RECORDS_DROPPED, 1);
		return;
	}
	as_count(AS_K_RECORDS, 1);
	as_count(AS_K_RECORD_BYTES, skb->len);
	as_count(AS_C_KEPT_BYTES, pkt.hdr_len);
	if (vid != AS_VID_UNKNOWN)
		as_count_slot(vid - AS_SLOT_TO_VID(0), AS_S_KEPT_BYTES,
			      pkt.hdr_len);
	/* Taps get clones; the record itself goes nowhere else. */
	dev_queue_xmit_nit(skb, dev);
	consume_skb(skb);
}

/*
 * Every frame is consumed here, whatever becomes of it, so the return value
 * is always n: the caller has nothing left to free.
 */
static int as_ndo_xdp_xmit(struct net_device *dev, int n,
			   struct xdp_frame **frames, u32 flags)
{
	int i;

	if (unlikely(flags & ~XDP_XMIT_FLAGS_MASK))
		return -EINVAL;

	for (i = 0; i < n; i++) {
		as_xmit_frame(dev, frames[i]);
		xdp_return_frame(frames[i]);
	}
	return n;
}

static netdev_tx_t as_ndo_start_xmit(struct sk_buff *skb,
				     struct net_device *dev)
{
	as_count(AS_K_STACK_DROPPED, 1);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

static void as_ndo_get_stats64(struct net_device *dev,
			       struct rtnl_link_stats64 *stats)
{
	stats->tx_packets = as_counter_read(AS_K_RECORDS);
	stats->tx_bytes = as_counter_read(AS_K_RECORD_BYTES);
	stats->tx_dropped = as_counter_read(AS_K_ENFORCED) +
			    as_counter_read(AS_K_RECORDS_DROPPED) +
			    as_counter_read(AS_K_STACK_DROPPED);
}

static const struct net_device_ops as_netdev_ops = {
	.ndo_start_xmit		= as_ndo_start_xmit,
	.ndo_xdp_xmit		= as_ndo_xdp_xmit,
	.ndo_get_stats64	= as_ndo_get_stats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

static void as_netdev_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &as_netdev_ops;
	dev->flags |= IFF_NOARP;
	dev->flags &= ~IFF_MULTICAST;
	dev->priv_flags |= IFF_NO_QUEUE;
	/* It collects in the initial namespace, where the auditors look. */
	dev->features |= NETIF_F_NETNS_LOCAL;
	eth_hw_addr_random(dev);
}

/* As net.ipv6.conf.autosel0.disable_ipv6=1 would, before it is ever up. */
static void as_netdev_no_ipv6(struct net_device *dev)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct inet6_dev *idev = __in6_dev_get(dev);

	if (idev)
		idev->cnf.disable_ipv6 = 1;
#endif
}

int as_netdev_init(void)
{
	struct net_device *dev;
	int err;

	dev = alloc_netdev(0, "autosel0", NET_NAME_PREDICTABLE,
			   as_netdev_setup);
	if (!dev)
		return -ENOMEM;

	rtnl_lock();
	err = register_netdevice(dev);
	if (err) {
		rtnl_unlock();
		free_netdev(dev);
		return err;
	}
	as_netdev_no_ipv6(dev);
	rtnl_unlock();

	as_netdev = dev;
	return 0;
}

/* After this no ndo_xdp_xmit() runs: devmaps drop the device first. */
void as_netdev_exit(void)
{
	unregister_netdev(as_netdev);
	free_netdev(as_netdev);
	as_netdev = NULL;
}
