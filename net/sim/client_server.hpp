// ClientServerNetwork: a client Stack and a server Stack on one simulated switch under the virtual
// clock, the fixture of tests of what runs on the stack.
#pragma once

#include <memory>

#include "core/crypto/random.hpp"
#include "core/packet.hpp"
#include "core/scheduler.hpp"
#include "core/testing/seed.hpp"
#include "core/virtual_platform.hpp"
#include "net/fault/test_support.hpp"
#include "net/sim/simulated_switch.hpp"
#include "net/stack.hpp"

namespace oasis::net::test_support {

// Both stacks are started on construction; stop() (or the destructor) stops
// them and runs the scheduler until every task has ended, so services built
// on them must be destroyed after stop() and before this.
struct ClientServerNetwork {
    static constexpr Ipv4Address client_address = Ipv4Address::from_octets(10, 0, 0, 1);
    static constexpr Ipv4Address server_address = Ipv4Address::from_octets(10, 0, 0, 2);

    explicit ClientServerNetwork(const PortOptions& link = {}, const StackOptions& options = {}) {
        client_device = &network.add_port(test_mac(1), link);
        server_device = &network.add_port(test_mac(2), link);
        client = std::make_unique<Stack>(*client_device, client_pool,
                                         StackConfig{Ipv4Prefix{client_address, 24}, {}},
                                         client_random, options);
        server = std::make_unique<Stack>(*server_device, server_pool,
                                         StackConfig{Ipv4Prefix{server_address, 24}, {}},
                                         server_random, options);
        client->start();
        server->start();
    }
    ClientServerNetwork(const ClientServerNetwork&) = delete;
    ClientServerNetwork& operator=(const ClientServerNetwork&) = delete;
    ~ClientServerNetwork() { stop(); }

    void stop() {
        if (!stopped) {
            stopped = true;
            client->stop();
            server->stop();
            scheduler.run_until_idle();
        }
    }

    VirtualPlatform platform;
    Scheduler scheduler{platform};
    PacketPool client_pool{1024};
    PacketPool server_pool{1024};
    crypto::ChaChaRng client_random{testing::seed(1)};
    crypto::ChaChaRng server_random{testing::seed(2)};
    SimulatedSwitch network;
    SimulatedNetDevice* client_device = nullptr;
    SimulatedNetDevice* server_device = nullptr;
    std::unique_ptr<Stack> client;
    std::unique_ptr<Stack> server;
    bool stopped = false;
};

}  // namespace oasis::net::test_support
