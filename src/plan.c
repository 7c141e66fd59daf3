/* SPDX-License-Identifier: MIT */
#include "autoconfig.h"
#include "plan.h"
