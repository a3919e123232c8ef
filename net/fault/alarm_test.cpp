// Tests of Alarm and DelayQueue on the virtual clock.
#include "net/fault/alarm.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/virtual_platform.hpp"
#include "net/fault/delay_queue.hpp"

namespace oasis::net {
namespace {

TEST(DelayQueue, ReleasesEarliestFirstAndTiesInArrivalOrder) {
    DelayQueue<std::string> queue;
    queue.push(Instant{5ms}, "c");
    queue.push(Instant{1ms}, "a");
    queue.push(Instant{5ms}, "d");
    queue.push(Instant{2ms}, "b");
    EXPECT_EQ(queue.next_due(), Instant{1ms});
    EXPECT_EQ(queue.next_due_after(Instant{1ms}), Instant{2ms});
    EXPECT_EQ(queue.next_due_after(Instant{5ms}), std::nullopt);

    EXPECT_FALSE(queue.pop_due(Instant{0ms}));
    std::vector<std::string> order;
    while (auto item = queue.pop_due(Instant{10ms})) {
        order.push_back(item->second);
    }
    EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c", "d"}));
    EXPECT_TRUE(queue.empty());
}

TEST(DelayQueue, PushFrontGoesBeforeItemsDueAtTheSameTime) {
    DelayQueue<std::string> queue;
    queue.push(Instant{1ms}, "b");
    queue.push_front(Instant{1ms}, "a");
    ASSERT_NE(queue.peek_due(Instant{1ms}), nullptr);
    EXPECT_EQ(*queue.peek_due(Instant{1ms}), "a");
    EXPECT_EQ(queue.size(), 2u);
}

class AlarmTest : public ::testing::Test {
protected:
    VirtualPlatform m_platform;
    Scheduler m_scheduler{m_platform};
};

TEST_F(AlarmTest, FiresAtItsDeadlineOnTheVirtualClock) {
    std::vector<Instant> fired;
    Alarm alarm{[&] { fired.push_back(m_scheduler.now()); }};
    alarm.arm_no_later_than(Instant{7ms});
    EXPECT_EQ(alarm.deadline(), Instant{7ms});
    m_scheduler.run_until_idle();
    EXPECT_EQ(fired, std::vector<Instant>{Instant{7ms}});
    EXPECT_EQ(alarm.deadline(), std::nullopt);
    EXPECT_EQ(m_scheduler.timer_count(), 0u);  // nothing pending, no timer
}

TEST_F(AlarmTest, AnEarlierDeadlineWinsALaterOneIsIgnored) {
    std::vector<Instant> fired;
    Alarm alarm{[&] { fired.push_back(m_scheduler.now()); }};
    alarm.arm_no_later_than(Instant{10ms});
    alarm.arm_no_later_than(Instant{4ms});
    alarm.arm_no_later_than(Instant{6ms});
    m_scheduler.run_until_idle();
    EXPECT_EQ(fired, std::vector<Instant>{Instant{4ms}});
}

TEST_F(AlarmTest, ThePastFiresAtOnceAndTheCallbackMayRearm) {
    std::vector<Instant> fired;
    Alarm* self = nullptr;
    Alarm alarm{[&] {
        fired.push_back(m_scheduler.now());
        if (fired.size() < 3) {
            self->arm_no_later_than(m_scheduler.now() + 2ms);
        }
    }};
    self = &alarm;
    m_platform.advance(5ms);
    alarm.arm_no_later_than(Instant{1ms});
    m_scheduler.run_until_idle();
    EXPECT_EQ(fired, (std::vector<Instant>{Instant{5ms}, Instant{7ms}, Instant{9ms}}));
}

TEST_F(AlarmTest, CancelAndDestructionStopIt) {
    int fired = 0;
    Alarm alarm{[&] { ++fired; }};
    alarm.arm_no_later_than(Instant{1ms});
    alarm.cancel();
    {
        Alarm doomed{[&] { ++fired; }};
        doomed.arm_no_later_than(Instant{2ms});
    }
    m_scheduler.run_until_idle();
    EXPECT_EQ(fired, 0);
    EXPECT_EQ(m_scheduler.now(), Instant{0ms});  // no timer was left to jump to
}

}  // namespace
}  // namespace oasis::net
