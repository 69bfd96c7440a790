#pragma once
// Internal to shared/net: shared between the two files of NetHost.
namespace qbot::net {
class NetHost;
namespace detail {

/// The NetHost whose enet_host_service is running on this thread (ENet's
/// intercept hook has no user pointer), or nullptr.
extern thread_local NetHost* t_servicing;

}  // namespace detail
}  // namespace qbot::net
