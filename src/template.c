/* SPDX-License-Identifier: MIT */
#include "autoconfig.h"

#include "template.h"
