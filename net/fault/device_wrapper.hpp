// NetDeviceWrapper: the base of middleware devices (faults, capture) that wrap another NetDevice.
#pragma once

#include "core/scheduler.hpp"
#include "dev/net.hpp"

namespace oasis::net {

// A wrapper is a NetDevice of its own, with its own waiters: the stack awaits
// the wrapper's wait_receivable(), while the platform wakes the inner
// device's. Forwarders (one task per direction, started the first time they
// are needed) pass the inner device's wake-ups on. Each forwarder begins with
// one wake-up of its own, which covers whatever the inner device signalled
// before the forwarder was waiting; a spare wake-up costs a caller one
// receive() that returns 0, which the NetDevice contract allows.
//
// The forwarders wait on wait lists, not timers, so they never keep the
// scheduler from detecting a deadlock. Destroying the wrapper cancels them.
class NetDeviceWrapper : public dev::NetDevice {
public:
    explicit NetDeviceWrapper(dev::NetDevice& inner) : m_inner(inner) {}
    ~NetDeviceWrapper() override;

    dev::MacAddress mac() const override { return m_inner.mac(); }
    std::size_t mtu() const override { return m_inner.mtu(); }

    dev::NetDevice& inner() const { return m_inner; }

protected:
    // Starts passing the inner device's receive wake-ups on (once); call it
    // from receive(), which callers call before they wait.
    void follow_inner_receivable();
    // Starts passing the inner device's transmit wake-ups on (once); call it
    // when the inner device has refused a frame.
    void follow_inner_transmittable();
    // Runs when the inner device may take frames again, before this device's
    // own transmit waiters are woken (a wrapper that holds frames sends them).
    virtual void on_inner_transmittable() {}

private:
    // Woken by the inner device's notify_receivable().
    static Task<void> forward_receivable(NetDeviceWrapper* wrapper);
    // Woken by the inner device's notify_transmittable().
    static Task<void> forward_transmittable(NetDeviceWrapper* wrapper);

    dev::NetDevice& m_inner;
    JoinHandle m_receive_forwarder;
    JoinHandle m_transmit_forwarder;
};

}  // namespace oasis::net
