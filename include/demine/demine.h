/* SPDX-License-Identifier: MIT
 *
 * demine.h -- the public API of libdemine, the mine action information and
 * risk-mapping library. Include this one header.
 */
#ifndef DEMINE_H
#define DEMINE_H

#include "demine/dm_core.h"
#include "demine/dm_geom.h"
#include "demine/dm_model.h"
#include "demine/dm_store.h"
#include "demine/dm_io.h"
#include "demine/dm_check.h"
#include "demine/dm_stats.h"
#include "demine/dm_records.h"
#include "demine/dm_demo.h"
#include "demine/dm_auth.h"
#include "demine/dm_danger.h"
#include "demine/dm_tiles.h"
#include "demine/dm_sensors.h"
#include "demine/dm_route.h"
#include "demine/dm_raster.h"
#include "demine/dm_evidence.h"
#include "demine/dm_risk.h"
#include "demine/dm_plan.h"
#include "demine/dm_report.h"
#include "demine/dm_qc.h"
#include "demine/dm_eore.h"

#endif
