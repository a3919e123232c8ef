// Fuzz target: whole frames into a running net::Stack (Ethernet, ARP, IPv4 reassembly, ICMP, UDP).
//
// Input: frames, each a 2-byte big-endian length and that many bytes. They
// are delivered to a stack at 02:00:00:00:00:01 / 10.0.0.2/24 with a UDP
// socket on port 7, and a minute of virtual time then passes, so that ARP
// retries and reassembly timeouts run too. Whatever the frames, the stack
// must neither crash nor trip an assertion, and every packet buffer must come
// back to its pool.
#include <deque>
#include <vector>

#include "core/crypto/random.hpp"
#include "core/endian.hpp"
#include "core/virtual_platform.hpp"
#include "fuzz/fuzz_support.hpp"
#include "net/stack.hpp"

using namespace oasis;
using namespace oasis::net;

namespace {

constexpr std::size_t max_frames = 64;

// A device whose received frames are the fuzzer's input; what the stack
// sends is counted and dropped.
class FuzzDevice final : public dev::NetDevice {
public:
    dev::MacAddress mac() const override { return {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}}; }
    std::size_t mtu() const override { return 1500; }

    void inject(ByteView frame) {
        m_frames.push_back(oasis::fuzz::copy_bytes(frame));
        notify_receivable();
    }

    Result<std::size_t, dev::NetError> receive(PacketPool& pool,
                                               std::span<Packet> frames) override {
        std::size_t count = 0;
        while (count < frames.size() && !m_frames.empty()) {
            auto packet = pool.allocate();
            if (packet.is_error()) {
                break;
            }
            const std::vector<std::byte>& bytes = m_frames.front();
            if ((*packet)->set_size(bytes.size()).is_error()) {
                m_frames.pop_front();  // longer than a buffer: dropped, as a device would
                continue;
            }
            (void)(*packet)->data().copy_from(0, ByteView{bytes});
            frames[count++] = std::move(packet.value());
            m_frames.pop_front();
        }
        return count;
    }

    Result<std::size_t, dev::NetError> transmit(std::span<Packet> frames) override {
        for (Packet& frame : frames) {
            frame.reset();
        }
        return frames.size();
    }

private:
    std::deque<std::vector<std::byte>> m_frames;
};

Task<int> let_time_pass() {
    co_await sleep_for(std::chrono::seconds(60));
    co_return 0;
}

crypto::ChaChaRng::Seed fixed_seed() {
    crypto::ChaChaRng::Seed seed{};
    seed[0] = std::byte{42};
    return seed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteReader input{oasis::fuzz::input_bytes(data, size)};
    std::vector<ByteView> frames;
    while (frames.size() < max_frames) {
        auto length = input.take_u16_be();
        if (length.is_error()) {
            break;
        }
        auto frame = input.take(*length);
        if (frame.is_error()) {
            break;
        }
        frames.push_back(*frame);
    }

    VirtualPlatform platform;
    PacketPool pool{256};
    {
        Scheduler scheduler{platform};
        crypto::ChaChaRng random{fixed_seed()};
        FuzzDevice device;
        Stack stack{device, pool,
                    StackConfig{Ipv4Prefix{Ipv4Address::from_octets(10, 0, 0, 2), 24},
                                Ipv4Address::from_octets(10, 0, 0, 1)},
                    random};
        stack.start();
        auto socket = stack.udp_bind(7);
        FUZZ_CHECK(socket.has_value());
        for (ByteView frame : frames) {
            device.inject(frame);
        }
        FUZZ_CHECK(scheduler.run(let_time_pass()) == 0);
        stack.stop();
        scheduler.run_until_idle();
    }
    FUZZ_CHECK(pool.available() == pool.capacity());
    return 0;
}
