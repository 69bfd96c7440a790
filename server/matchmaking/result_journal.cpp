// TEMPORARY STUB (being implemented)
#include "server/matchmaking/result_journal.h"
