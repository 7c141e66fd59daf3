/* SPDX-License-Identifier: MIT */
#ifndef GREMIUM_PLAN_H
#define GREMIUM_PLAN_H
#include "model.h"
#include "schedule.h"
#include "store.h"
#endif
