#pragma once
// sim::EntityId lives with every other id in core/ids.h.
#include "core/ids.h"
