package dev.jxdp.ebpf.fib;

import java.util.List;

/**
 * A network device as the FIB sees it (struct net_device with its in_device and inet6_dev settings).
 *
 * @param ifindex     the device's index
 * @param name        its name
 * @param mac         its address, 48 bits (dev_addr; the smac a forwarded frame gets)
 * @param mtu         the device MTU (IPv4 forwarding checks against it)
 * @param mtu6        the IPv6 MTU (inet6_dev cnf.mtu6; the device MTU unless set apart)
 * @param up          administratively up (IFF_UP); routes through a device that is down are dead
 * @param forwarding4 net.ipv4.conf.NAME.forwarding
 * @param forwarding6 net.ipv6.conf.NAME.forwarding
 * @param rxQueues    real_num_rx_queues (a test run's rx_queue_index must be below it)
 * @param addresses   its IPv4 and IPv6 addresses, primary first (source address selection)
 */
public record NetDev(int ifindex, String name, long mac, int mtu, int mtu6, boolean up, boolean forwarding4,
                     boolean forwarding6, int rxQueues, List<IfAddr> addresses) {

    public NetDev {
        addresses = List.copyOf(addresses);
    }

    /** One address of a device: {@code family}, the address (see {@link Inet}) and its prefix length. */
    public record IfAddr(int family, long hi, long lo, int prefixLen) {}
}
