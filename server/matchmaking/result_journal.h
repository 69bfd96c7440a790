#pragma once
// TEMPORARY STUB (being implemented)
