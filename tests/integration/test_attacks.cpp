#include <gtest/gtest.h>
TEST(Attack, Placeholder) {}
