/* SPDX-License-Identifier: MIT */
#include "autoconfig.h"

#include "ical.h"
