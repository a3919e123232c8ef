// FaultInjectingDevice: faults on the way in and out, with held frames released on time.
#include "net/fault/fault_injecting_device.hpp"

#include <algorithm>

#include "net/fault/packet_copy.hpp"

namespace oasis::net {

namespace {

// Held frames go to the inner device at most this many per call.
constexpr std::size_t release_batch = 32;

std::size_t pool_buffer_capacity(const dev::NetDevice& inner) {
    return std::max(default_packet_capacity,
                    default_packet_headroom + inner.mtu() + dev::NetDevice::ethernet_header_size);
}

std::size_t bytes_of(std::span<const Packet> frames) {
    std::size_t total = 0;
    for (const Packet& frame : frames) {
        total += frame->size();
    }
    return total;
}

}  // namespace

FaultInjectingDevice::FaultInjectingDevice(dev::NetDevice& inner, const FaultSpec& spec,
                                           std::size_t held_frames)
    : NetDeviceWrapper(inner),
      m_receive_faults(spec, 1),
      m_transmit_faults(spec, 2),
      m_pool(held_frames, pool_buffer_capacity(inner)),
      m_receive_alarm([this] { on_receive_alarm(); }),
      m_transmit_alarm([this] { release_transmits(); }) {
    m_batch.reserve(release_batch);
    m_batch_due.reserve(release_batch);
}

bool FaultInjectingDevice::faults_receive() const {
    return spec().direction != FaultDirection::transmit && !spec().is_transparent();
}

bool FaultInjectingDevice::faults_transmit() const {
    return spec().direction != FaultDirection::receive && !spec().is_transparent();
}

bool FaultInjectingDevice::hold(DelayQueue<Packet>& queue, Instant due, ByteView frame,
                                const FrameCopy& copy) {
    std::optional<Packet> packet = copy_to_pool(m_pool, frame);
    if (!packet) {
        return false;
    }
    if (copy.flipped_bit) {
        FaultModel::flip_bit((*packet)->data(), *copy.flipped_bit);
    }
    queue.push(due, std::move(*packet));
    return true;
}

// ---- receiving ---------------------------------------------------------------

Result<std::size_t, dev::NetError> FaultInjectingDevice::receive(PacketPool& pool,
                                                                 std::span<Packet> frames) {
    follow_inner_receivable();
    std::size_t count = 0;
    if (!faults_receive()) {
        count = TRY(inner().receive(pool, frames));
    } else {
        const Instant now = Scheduler::current().now();
        count = take_due_receives(pool, frames, now);
        // Frames the faults drop or hold leave room, so ask again until the
        // inner device has nothing more: its next wake-up comes only with a
        // new frame.
        while (count < frames.size()) {
            auto received = inner().receive(pool, frames.subspan(count));
            if (!received) {
                if (count == 0) {
                    return received.release_error();
                }
                break;  // it will fail again on the next call, with nothing to lose
            }
            if (*received == 0) {
                break;
            }
            count = apply_receive_faults(frames, count, *received, now);
        }
    }
    m_stats.received_frames += count;
    m_stats.received_bytes += bytes_of(frames.first(count));
    return count;
}

std::size_t FaultInjectingDevice::take_due_receives(PacketPool& pool, std::span<Packet> frames,
                                                    Instant now) {
    std::size_t count = 0;
    while (count < frames.size()) {
        Packet* held = m_held_receives.peek_due(now);
        if (held == nullptr) {
            break;
        }
        if (pool.available() == 0) {
            break;  // the caller's pool is dry: the frames wait for the next call
        }
        if (std::optional<Packet> packet = copy_to_pool(pool, (*held)->data())) {
            frames[count++] = std::move(*packet);
        } else {
            ++m_stats.receive_dropped;  // larger than the caller's buffers
        }
        (void)m_held_receives.pop_due(now);
    }
    return count;
}

std::size_t FaultInjectingDevice::apply_receive_faults(std::span<Packet> frames, std::size_t begin,
                                                       std::size_t count, Instant now) {
    std::size_t kept = begin;
    for (std::size_t index = begin; index < begin + count; ++index) {
        Packet frame = std::move(frames[index]);
        const FaultDecision decision = m_receive_faults.decide(frame->size());
        const FrameCopy* immediate = nullptr;
        for (const FrameCopy& copy : decision.delivered()) {
            if (copy.delay == Duration{0} && immediate == nullptr) {
                immediate = &copy;
            } else if (hold(m_held_receives, now + copy.delay, frame->data(), copy)) {
                m_receive_alarm.arm_no_later_than(now + copy.delay);
            } else {
                ++m_stats.receive_dropped;
            }
        }
        if (immediate != nullptr) {
            if (immediate->flipped_bit) {
                FaultModel::flip_bit(frame->data(), *immediate->flipped_bit);
            }
            frames[kept++] = std::move(frame);
        }
    }
    return kept;
}

void FaultInjectingDevice::on_receive_alarm() {
    const Instant now = Scheduler::current().now();
    notify_receivable();
    // Frames already due stay until the next receive(); wake up for the later ones.
    if (auto next = m_held_receives.next_due_after(now)) {
        m_receive_alarm.arm_no_later_than(*next);
    }
}

// ---- transmitting ------------------------------------------------------------

Result<std::size_t, dev::NetError> FaultInjectingDevice::transmit(std::span<Packet> frames) {
    if (!faults_transmit()) {
        const std::size_t offered_bytes = bytes_of(frames);
        const std::size_t taken = TRY(inner().transmit(frames));
        if (taken < frames.size()) {
            follow_inner_transmittable();
        }
        m_stats.transmitted_frames += taken;
        m_stats.transmitted_bytes += offered_bytes - bytes_of(frames.subspan(taken));
        return taken;
    }
    const Instant now = Scheduler::current().now();
    for (Packet& frame : frames) {
        apply_transmit_faults(frame, now);
    }
    if (m_batch.empty()) {
        return frames.size();
    }
    const std::size_t offered_bytes = bytes_of(m_batch);
    auto sent = inner().transmit(m_batch);
    if (!sent) {
        m_stats.transmit_dropped += m_batch.size();
        m_batch.clear();
        return sent.release_error();
    }
    // What the inner device refused waits, due now, for its wake-up.
    std::span<Packet> refused = std::span{m_batch}.subspan(*sent);
    const std::size_t refused_bytes = bytes_of(refused);
    for (Packet& frame : refused) {
        if (!hold(m_held_transmits, now, frame->data(), FrameCopy{})) {
            ++m_stats.transmit_dropped;
        }
    }
    if (!refused.empty()) {
        m_transmit_blocked = true;
        follow_inner_transmittable();
    }
    m_stats.transmitted_frames += *sent;
    m_stats.transmitted_bytes += offered_bytes - refused_bytes;
    m_batch.clear();
    return frames.size();
}

void FaultInjectingDevice::apply_transmit_faults(Packet& frame, Instant now) {
    OASIS_ASSERT(frame);
    const FaultDecision decision = m_transmit_faults.decide(frame->size());
    const FrameCopy* immediate = nullptr;
    for (const FrameCopy& copy : decision.delivered()) {
        // While the inner device refuses frames, even undelayed ones queue
        // behind those it refused, so that they leave in order.
        if (copy.delay == Duration{0} && immediate == nullptr && !m_transmit_blocked) {
            immediate = &copy;
        } else if (hold(m_held_transmits, now + copy.delay, frame->data(), copy)) {
            m_transmit_alarm.arm_no_later_than(now + copy.delay);
        } else {
            ++m_stats.transmit_dropped;
        }
    }
    if (immediate == nullptr) {
        frame.reset();
        return;
    }
    if (immediate->flipped_bit) {
        FaultModel::flip_bit(frame->data(), *immediate->flipped_bit);
    }
    m_batch.push_back(std::move(frame));
}

void FaultInjectingDevice::release_transmits() {
    if (m_transmit_blocked) {
        return;  // the inner device's wake-up calls again
    }
    const Instant now = Scheduler::current().now();
    while (!m_transmit_blocked) {
        while (m_batch.size() < release_batch) {
            auto item = m_held_transmits.pop_due(now);
            if (!item) {
                break;
            }
            m_batch_due.push_back(item->first);
            m_batch.push_back(std::move(item->second));
        }
        if (m_batch.empty()) {
            break;
        }
        const std::size_t offered_bytes = bytes_of(m_batch);
        auto sent = inner().transmit(m_batch);
        std::size_t taken = 0;
        if (sent) {
            taken = *sent;
        } else {
            // Nobody to report the error to here: the frames are lost.
            m_stats.transmit_dropped += m_batch.size();
            taken = m_batch.size();
        }
        std::size_t refused_bytes = 0;
        for (std::size_t index = m_batch.size(); index > taken; --index) {
            refused_bytes += m_batch[index - 1]->size();
            m_held_transmits.push_front(m_batch_due[index - 1], std::move(m_batch[index - 1]));
        }
        if (taken < m_batch.size()) {
            m_transmit_blocked = true;
            follow_inner_transmittable();
        }
        if (sent) {
            m_stats.transmitted_frames += taken;
            m_stats.transmitted_bytes += offered_bytes - refused_bytes;
        }
        m_batch.clear();
        m_batch_due.clear();
    }
    if (auto next = m_held_transmits.next_due(); next && !m_transmit_blocked) {
        m_transmit_alarm.arm_no_later_than(*next);
    }
}

void FaultInjectingDevice::on_inner_transmittable() {
    m_transmit_blocked = false;
    release_transmits();
}

}  // namespace oasis::net
