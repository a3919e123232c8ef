// NetDeviceWrapper: the tasks that pass the inner device's wake-ups on to the wrapper's waiters.
#include "net/fault/device_wrapper.hpp"

namespace oasis::net {

NetDeviceWrapper::~NetDeviceWrapper() {
    m_receive_forwarder.cancel();
    m_transmit_forwarder.cancel();
}

void NetDeviceWrapper::follow_inner_receivable() {
    if (m_receive_forwarder.finished()) {
        m_receive_forwarder = Scheduler::current().spawn(forward_receivable(this));
    }
}

void NetDeviceWrapper::follow_inner_transmittable() {
    if (m_transmit_forwarder.finished()) {
        m_transmit_forwarder = Scheduler::current().spawn(forward_transmittable(this));
    }
}

Task<void> NetDeviceWrapper::forward_receivable(NetDeviceWrapper* wrapper) {
    for (;;) {
        wrapper->notify_receivable();
        co_await wrapper->m_inner.wait_receivable();
    }
}

Task<void> NetDeviceWrapper::forward_transmittable(NetDeviceWrapper* wrapper) {
    for (;;) {
        wrapper->on_inner_transmittable();
        wrapper->notify_transmittable();
        co_await wrapper->m_inner.wait_transmittable();
    }
}

}  // namespace oasis::net
