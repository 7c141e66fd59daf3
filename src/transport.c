/* SPDX-License-Identifier: MIT */
#include "autoconfig.h"

#include "transport.h"
